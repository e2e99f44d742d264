import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Counter, Gauge } from 'prom-client';
import { registrationStatuses } from '../../domain/registration.ts';
import { chatWorkflowType } from '../../workflows/chat.ts';
import { countByStatus } from '../../platform/stores/console-views.ts';
import { waitingHandOffs } from '../../platform/stores/chat-handoffs.ts';
import { sameSecret } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { unauthorized } from '../edge/refusals.ts';
import type { AppDependencies } from '../app-dependencies.ts';

const documentChecksMetric = 'api_document_checks_total';

/**
 * Documents checked in full, and documents whose bytes had passed already (checked as the driver
 * sent them, then submitted): read from the checks' own counts at each scrape.
 */
function countDocumentChecks(deps: AppDependencies): void {
  if (deps.metrics.getSingleMetric(documentChecksMetric) !== undefined) return;
  new Counter({
    name: documentChecksMetric,
    help: 'Uploaded documents the API checked in full (outcome="checked") or knew by their content already (outcome="remembered")',
    labelNames: ['outcome'],
    registers: [deps.metrics],
    collect() {
      const { checked, remembered } = deps.documentChecks.counts();
      this.reset();
      this.inc({ outcome: 'checked' }, checked);
      this.inc({ outcome: 'remembered' }, remembered);
    },
  });
}

/**
 * Prometheus scrape endpoint for this process's registry; with METRICS_TOKEN set (production) only
 * for `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time.
 */
export const metricsRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  countDocumentChecks(deps);
  countIntakeLoad(deps, limits);
  countRegistrationsByStatus(deps);
  countActiveChats(deps);
  countWaitingAgentEvents(deps);
  const token = deps.config.METRICS_TOKEN;
  app.get('/metrics', async (request, reply) => {
    const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined && (presented === undefined || !sameSecret(presented, token))) throw unauthorized('The metrics need a bearer token (METRICS_TOKEN)');
    return reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics());
  });
};

const intakeLoadMetric = 'api_intake_registrations';

/** The intake's slots and its line, as they are at the scrape: a line that stays long is drivers waiting (or refused, past INTAKE_QUEUE_WAIT). */
function countIntakeLoad(deps: AppDependencies, limits: EdgeLimits): void {
  if (deps.metrics.getSingleMetric(intakeLoadMetric) !== undefined) return;
  new Gauge({
    name: intakeLoadMetric,
    help: 'Registrations this API is reading and checking now (state="in_flight", at most INTAKE_MAX_IN_FLIGHT) and those waiting in line for a slot (state="waiting")',
    labelNames: ['state'],
    registers: [deps.metrics],
    collect() {
      const { inFlight, waiting } = limits.intakeLoad();
      this.set({ state: 'in_flight' }, inFlight);
      this.set({ state: 'waiting' }, waiting);
    },
  });
}

const activeChatsMetric = 'bridge_chats_active';

/** Chats whose workflow runs now (one visibility count per scrape, within 2 s). */
function countActiveChats(deps: AppDependencies): void {
  if (deps.metrics.getSingleMetric(activeChatsMetric) !== undefined) return;
  new Gauge({
    name: activeChatsMetric,
    help: 'WhatsApp chats whose workflow is running now (a chat ends after BRIDGE_IDLE_TIMEOUT without messages)',
    registers: [deps.metrics],
    async collect() {
      this.reset();
      const query = `WorkflowType = "${chatWorkflowType}" AND ExecutionStatus = "Running"`;
      // Temporal away: no series this scrape (the other metrics still answer).
      const counted = await deps.temporal.connection.withDeadline(Date.now() + 2_000, () => deps.temporal.workflow.count(query)).catch(() => null);
      if (counted !== null) this.set(counted.count);
    },
  });
}

const registrationsMetric = 'registrations';

/** Registrations by status, read from the database at each scrape (one grouped count). */
function countRegistrationsByStatus(deps: AppDependencies): void {
  if (deps.metrics.getSingleMetric(registrationsMetric) !== undefined) return;
  new Gauge({
    name: registrationsMetric,
    help: 'Registrations by status, now (received, pending_approval, correction_requested, approved, rejected, erased)',
    labelNames: ['status'],
    registers: [deps.metrics],
    async collect() {
      this.reset();
      // PostgreSQL away: no series this scrape (the other metrics still answer, and /health says why).
      const counts = await countByStatus(deps.db).catch(() => null);
      if (counts !== null) for (const status of registrationStatuses) this.set({ status }, counts.get(status) ?? 0);
    },
  });
}

const waitingAgentEventsMetric = 'bridge_agent_events_waiting';
const oldestAgentEventMetric = 'bridge_agent_event_oldest_seconds';

/**
 * Agents' replies kept and not yet in their chat's workflow (api/hand-offs/agent-inbox.ts), and how
 * long the oldest has waited: a few for a moment is normal, a count that grows means Temporal does not take them.
 */
function countWaitingAgentEvents(deps: AppDependencies): void {
  if (deps.metrics.getSingleMetric(waitingAgentEventsMetric) !== undefined) return;
  const gauge = (name: string, help: string, read: (waiting: { count: number; oldestSeconds: number }) => number) => new Gauge({
    name, help, registers: [deps.metrics],
    async collect() {
      this.reset();
      // PostgreSQL away: no series this scrape.
      const waiting = await waitingHandOffs(deps.db, deps.config.BRIDGE_TASK_QUEUE).catch(() => null);
      if (waiting !== null) this.set(read(waiting));
    },
  });
  gauge(waitingAgentEventsMetric, 'Agent events (replies, assignments, resolutions) kept from Chatwoot\'s webhook and not yet handed to their chat\'s workflow', (waiting) => waiting.count);
  gauge(oldestAgentEventMetric, 'Seconds the oldest agent event kept from Chatwoot\'s webhook has waited for its chat\'s workflow (0: none waiting)', (waiting) => waiting.oldestSeconds);
}
