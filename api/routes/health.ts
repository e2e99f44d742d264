import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ping } from '../../platform/stores/databases.ts';
import type { AppDependencies } from '../app-dependencies.ts';

const withinMs = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/**
 * `/health`: 200 only when PostgreSQL and Temporal both answer (readiness: compose and monitoring).
 * `/health/live`: 200 whenever this process answers HTTP, whatever its dependencies (liveness: what a
 * load balancer routes by). An instance whose Temporal is slow still answers each request itself —
 * a WhatsApp webhook 503 that it remembers, so the chat's next message brings it along; an agent's
 * reply kept — where a balancer that took it out on `/health` would refuse everything, unremembered.
 */
export const healthRoutes = (deps: AppDependencies): FastifyPluginAsyncZod => async (app) => {
  app.get('/health/live', async (_request, reply) => reply.status(200).send({ status: 'ok' }));
  app.get('/health', async (_request, reply) => {
    const [database, temporal] = await Promise.all([
      withinMs(ping(deps.db), 2000).then(() => 'ok', () => 'unreachable'),
      // A deadline on the call itself: a call merely raced would go on retrying after the answer, past a shutdown.
      deps.temporal.connection.withDeadline(Date.now() + 2000, () => deps.temporal.connection.workflowService.getSystemInfo({})).then(() => 'ok', () => 'unreachable'),
    ]);
    const healthy = database === 'ok' && temporal === 'ok';
    return reply.status(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', database, temporal });
  });
};
