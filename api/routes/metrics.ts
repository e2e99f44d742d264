import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Counter } from 'prom-client';
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

/** Prometheus scrape endpoint for this process's registry. */
export const metricsRoutes = (deps: AppDependencies): FastifyPluginAsyncZod => async (app) => {
  countDocumentChecks(deps);
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics()),
  );
};
