import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

/**
 * With tracing on (README, "Tracing"): each request's span (opened by Node's HTTP instrumentation,
 * named only by its method) is named by its route template, `POST /webhooks/wppconnect/:token`, and
 * carries it as `http.route`; never the URL, which may hold a token, a phone or a search.
 */
export function nameRequestSpans(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const span = trace.getActiveSpan();
    const route = request.routeOptions.url;
    if (span === undefined || route === undefined) return;
    span.setAttribute('http.route', route);
    span.updateName(`${request.method} ${route}`);
  });
}

/** The active span's ids for a log line (pino's mixin), so a line leads to its trace; nothing outside a span. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context === undefined || !isSpanContextValid(context) ? {} : { trace_id: context.traceId, span_id: context.spanId };
}
