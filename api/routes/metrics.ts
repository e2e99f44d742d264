import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDependencies } from '../app-dependencies.ts';

/** Prometheus scrape endpoint for this process's registry. */
export const metricsRoutes = (deps: AppDependencies): FastifyPluginAsyncZod => async (app) => {
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics()),
  );
};
