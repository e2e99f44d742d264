import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

const metricName = 'http_request_duration_seconds';

/**
 * Every answered request, by route template (never the URL: it may hold a token or an id), method and
 * status code: a histogram of how long it took, whose `_count` also counts requests by status.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const existing = registry.getSingleMetric(metricName) as Histogram<'route' | 'method' | 'status'> | undefined;
  const duration = existing ?? new Histogram({
    name: metricName,
    help: 'HTTP requests the API answered, by route template, method and status, and how long each took',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe({ route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
