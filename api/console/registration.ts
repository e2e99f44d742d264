import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { correctableItems, decisionDeliveryKey, decisionMessage, workflowIdOf, type Decision } from '../../domain/registration.ts';
import { documentKinds } from '../../domain/registration-items.ts';
import { consoleDocumentLabels, consoleFieldLabels, consoleItemLabels, consoleRejectionReasons, consoleStatusLabels } from '../../domain/texts/console.ts';
import { consoleTexts } from './texts.ts';
import { deliveriesByKey, documentRevisions, fieldRevisions } from '../../platform/stores/console-views.ts';
import { auditOf } from '../../platform/stores/driver-data.ts';
import type { DocumentRow, RegistrationRow } from '../../platform/stores/registration-rows.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import { createDecide, type DecisionRequest } from '../decisions.ts';
import { readDocument } from '../routes/reviewer-registrations.ts';
import { consolePrefix, formatDate, type Console } from './plugin.ts';
import { isAwaiting, waitingOf } from './queue.ts';

const params = z.object({ id: z.uuid() });
const documentParams = params.extend({ documentId: z.uuid() });
const asList = (value: unknown): unknown[] => (value === undefined || value === '' ? [] : Array.isArray(value) ? (value as unknown[]) : [value]);
const reasonCodes = Object.keys(consoleRejectionReasons) as Array<keyof typeof consoleRejectionReasons>;

/** A decision as the forms post it (urlencoded; ticked boxes come as one value or several). */
export const decisionForm = z.object({
  kind: z.enum(['approve', 'reject', 'request_correction']),
  reason_code: z.union([z.enum(reasonCodes), z.literal('')]).default(''),
  reason_text: z.string().trim().max(1000).default(''),
  items: z.preprocess(asList, z.array(z.enum(correctableItems)).max(correctableItems.length)),
  message: z.string().trim().max(1000).default(''),
});
type DecisionForm = z.infer<typeof decisionForm>;

/** The form as a decision, or the sentence saying what is missing. */
function decisionOf(form: DecisionForm): DecisionRequest | string {
  if (form.kind === 'approve') return { kind: 'approve' };
  if (form.kind === 'reject') {
    const reason = [form.reason_code === '' ? '' : consoleRejectionReasons[form.reason_code], form.reason_text].filter((part) => part !== '').join(' ');
    return reason.length < 3 ? consoleTexts.decisions.needReason : { kind: 'reject', reason };
  }
  return form.items.length === 0 ? consoleTexts.decisions.needItems : { kind: 'request_correction', items: form.items, message: form.message };
}

/** What the driver will read on WhatsApp for this decision (a correction's code is made when it is sent). */
function driverReads(deps: AppDependencies, registration: RegistrationRow, decision: DecisionRequest): string {
  const reviewer = '';
  const asDecision: Decision = decision.kind === 'approve' ? { kind: 'approved', reviewer }
    : decision.kind === 'reject' ? { kind: 'rejected', reviewer, reason: decision.reason }
      : { kind: 'correction_requested', reviewer, items: decision.items, message: decision.message };
  const validDays = Math.max(1, Math.round(deps.config.REGISTRATION_CORRECTION_CODE_TTL / 86_400_000));
  const inChat = registration.chat !== null && deps.config.TYPEBOT_URL !== undefined;
  const how = inChat ? { inChat } : deps.config.REGISTRATION_FORM_URL === undefined ? {} : { formUrl: deps.config.REGISTRATION_FORM_URL };
  return decisionMessage(registration.fullName, asDecision, asDecision.kind === 'correction_requested' ? { code: '••••••', validDays } : undefined, how);
}

interface TimelineEntry { at: Date; text: string; detail?: string; tone?: 'ok' | 'warn' | 'bad' }

const decisionActions = { approve: 'approved', reject: 'rejected', request_correction: 'correction_requested' } as const;
const decisionTexts = { approve: consoleTexts.timeline.approved, reject: consoleTexts.timeline.rejected, request_correction: consoleTexts.timeline.correctionRequested };
const messageTexts = { approved: consoleTexts.timeline.approvalMessage, rejected: consoleTexts.timeline.rejectionMessage, correction_requested: consoleTexts.timeline.correctionMessage };
const doneTexts = { approve: consoleTexts.decisions.approved, reject: consoleTexts.decisions.rejected, request_correction: consoleTexts.decisions.correctionRequested };

/** The registration's story, oldest first: from its rows, its documents, its audit trail and its WhatsApp deliveries. */
async function timelineOf(deps: AppDependencies, registration: RegistrationRow, documents: DocumentRow[], corrections: Date[]): Promise<TimelineEntry[]> {
  const texts = consoleTexts.timeline;
  const trail = await auditOf(deps.db, [registration.id]);
  const entries: TimelineEntry[] = [{ at: registration.createdAt, text: texts.submitted }];
  const prepared = new Map<number, Date>();
  for (const doc of documents) if (doc.processedAt !== null && (prepared.get(doc.revision) ?? 0) < doc.processedAt) prepared.set(doc.revision, doc.processedAt);
  for (const [revision, at] of prepared) entries.push({ at, text: texts.documentsPrepared, detail: consoleTexts.registration.revision(revision) });
  for (const at of corrections) entries.push({ at, text: texts.corrected });
  const reminders = new Set<number>();
  let decisions = 0;
  for (const row of trail) {
    if (row.action in decisionActions) {
      const action = row.action as keyof typeof decisionActions;
      if (row.outcome === 'accepted') decisions += 1;
      const refused = row.outcome === 'accepted' ? '' : ` (${texts.refused})`;
      const reason = typeof row.details.reason === 'string' ? row.details.reason : undefined;
      entries.push({ at: row.at, text: `${decisionTexts[action]}${refused}`, detail: [texts.by(row.actor), reason].filter(Boolean).join(' — '), tone: row.outcome === 'accepted' ? 'ok' : 'warn' });
    } else if (row.action === 'remind_reviewers' && typeof row.details.reminder === 'number' && !reminders.has(row.details.reminder)) {
      reminders.add(row.details.reminder);
      entries.push({ at: row.at, text: texts.reminder(row.details.reminder), tone: 'warn' });
    } else if (row.action === 'export_driver') {
      entries.push({ at: row.at, text: texts.exported, detail: texts.by(row.actor) });
    }
  }
  // The decisions' WhatsApp messages, found by their business keys (kept hashed).
  const keys = new Map<string, keyof typeof messageTexts>();
  for (let round = 1; round <= decisions + 1; round++) {
    for (const kind of ['approved', 'rejected', 'correction_requested'] as const) keys.set(decisionDeliveryKey(registration.id, round, kind), kind);
  }
  for (const [key, delivery] of await deliveriesByKey(deps.db, deps.personal, [...keys.keys()])) {
    entries.push({ at: delivery.sentAt ?? delivery.firstAttemptAt, text: messageTexts[keys.get(key)!], detail: consoleTexts.delivery[delivery.status], tone: delivery.status === 'failed' ? 'bad' : delivery.status === 'sent' ? 'ok' : 'warn' });
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** A registration's page, its documents, and the decisions (previewed, then sent as the workflow's Update). */
export function registrationRoutes(app: FastifyInstance, deps: AppDependencies, view: Console): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const decide = createDecide(deps);
  const chatwootBase = deps.config.CHATWOOT_PUBLIC_URL ?? deps.config.CHATWOOT_URL;

  async function registrationOf(id: string): Promise<RegistrationRow> {
    const registration = await getRegistration(deps.db, deps.personal, id);
    if (registration === null) throw new AppError(ErrorType.NotFound, 'Registration not found');
    return registration;
  }

  /** The registration once a decision on it is recorded, or as it is after a few seconds. */
  async function decidedSoon(id: string): Promise<RegistrationRow> {
    const until = Date.now() + 5_000;
    for (;;) {
      const current = await registrationOf(id);
      if ((current.decidedBy !== null && !isAwaiting(current)) || Date.now() > until) return current;
      await sleep(200);
    }
  }

  async function page(request: FastifyRequest, reply: FastifyReply, registration: RegistrationRow, extra: Record<string, unknown> = {}, status = 200) {
    const [documents, previous] = await Promise.all([documentRevisions(deps.db, registration.id), fieldRevisions(deps.db, deps.personal, registration)]);
    await audit(deps.db, request, { action: 'view_registration', outcome: 'accepted', registrationId: registration.id, details: { console: true } });
    const fieldNames = Object.keys(consoleFieldLabels) as Array<keyof typeof consoleFieldLabels>;
    const columns = [...previous.map((revision) => ({ label: consoleTexts.registration.revision(revision.revision), fields: revision.fields, current: false })),
      { label: consoleTexts.registration.revision(previous.length + 1), fields: registration, current: true }];
    const fieldRows = fieldNames.map((name) => ({
      name, label: consoleFieldLabels[name],
      values: columns.map((column, index) => ({ value: column.fields[name], changed: index > 0 && column.fields[name] !== columns[index - 1]!.fields[name] })),
    }));
    const base = `${consolePrefix}/registrations/${registration.id}`;
    const kinds = documentKinds.map((kind) => ({
      kind, label: consoleDocumentLabels[kind],
      revisions: documents.filter((doc) => doc.kind === kind).map((doc) => ({
        doc, current: doc.status !== 'superseded', pdf: doc.mime === 'application/pdf',
        original: `${base}/documents/${doc.id}`, thumbnail: doc.thumbnailKey === null ? null : `${base}/documents/${doc.id}/thumbnail`,
      })),
    }));
    const conversation = registration.chat?.chatwootConversationId ?? null;
    return view.render(reply, 'registration', {
      registration,
      waiting: waitingOf(registration),
      columns, fieldRows, kinds,
      timeline: await timelineOf(deps, registration, documents, previous.map((revision) => revision.replacedAt)),
      awaiting: isAwaiting(registration),
      items: correctableItems.map((item) => ({ item, label: consoleItemLabels[item] })),
      reasons: reasonCodes.map((code) => ({ code, text: consoleRejectionReasons[code] })),
      links: {
        chatwoot: chatwootBase === undefined || conversation === null || deps.config.CHATWOOT_ACCOUNT_ID === undefined ? null : `${chatwootBase.replace(/\/$/, '')}/app/accounts/${deps.config.CHATWOOT_ACCOUNT_ID}/conversations/${conversation}`,
        temporal: deps.config.TEMPORAL_UI_URL === undefined ? null : `${deps.config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.config.TEMPORAL_NAMESPACE)}/workflows/${workflowIdOf(registration.id)}`,
      },
      base,
      done: null, refusal: null, formError: null, form: null,
      ...extra,
    }, status);
  }

  routes.get('/registrations/:id', { schema: { params, querystring: z.object({ done: z.enum(['approve', 'reject', 'request_correction']).optional().catch(undefined) }) } }, async (request, reply) =>
    page(request, reply, await registrationOf(request.params.id), { done: request.query.done === undefined ? null : doneTexts[request.query.done] }));

  for (const variant of ['original', 'thumbnail'] as const) {
    const url = variant === 'original' ? '/registrations/:id/documents/:documentId' : '/registrations/:id/documents/:documentId/thumbnail';
    routes.get(url, { schema: { params: documentParams, querystring: z.object({ download: z.string().optional() }) } }, async (request, reply) => {
      const { doc, file } = await readDocument(deps, request, request.params.id, request.params.documentId, variant);
      // The file never runs as this origin: a sandbox with no scripts, nothing fetched, its type as stored (checked at intake), never sniffed.
      return reply
        .header('content-type', file.contentType)
        .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'")
        .header('x-content-type-options', 'nosniff')
        .header('cross-origin-resource-policy', 'same-origin')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `${request.query.download === undefined ? 'inline' : 'attachment'}; filename="${doc.kind}-r${doc.revision}${variant === 'thumbnail' ? '-miniatura' : ''}"`)
        .send(file.bytes);
    });
  }

  // Step one: what the driver will read, with a button that sends it.
  routes.post('/registrations/:id/preview', { preValidation: view.csrf, schema: { params, body: decisionForm } }, async (request, reply) => {
    const registration = await registrationOf(request.params.id);
    const decision = decisionOf(request.body);
    if (typeof decision === 'string') return page(request, reply, registration, { formError: decision, form: request.body }, 400);
    return view.render(reply, 'preview', { registration, form: request.body, decision, message: driverReads(deps, registration, decision), base: `${consolePrefix}/registrations/${registration.id}` });
  });

  // Step two: the workflow's real answer; a registration someone else decided meanwhile says who and when.
  routes.post('/registrations/:id/decide', { preValidation: view.csrf, schema: { params, body: decisionForm } }, async (request, reply) => {
    const registration = await registrationOf(request.params.id);
    const decision = decisionOf(request.body);
    if (typeof decision === 'string') return page(request, reply, registration, { formError: decision, form: request.body }, 400);
    try {
      await decide(request, registration.id, decision);
    } catch (error) {
      if (!(error instanceof AppError) || error.type !== ErrorType.InvalidDecision) throw error;
      // Refused because another reviewer's decision is under way: it is recorded within moments, then it can be named.
      const now = await decidedSoon(registration.id);
      const refusal = now.decidedBy !== null && now.decidedAt !== null && !isAwaiting(now)
        ? consoleTexts.decisions.alreadyDecided(now.decidedBy, formatDate(now.decidedAt), consoleStatusLabels[now.status])
        : consoleTexts.decisions.notAwaiting;
      return page(request, reply, now, { refusal }, 409);
    }
    return reply.redirect(`${consolePrefix}/registrations/${registration.id}?done=${decision.kind}`, 303);
  });
}
