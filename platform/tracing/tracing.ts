/**
 * OpenTelemetry tracing for one process, started by its entry point (app/tracing.ts) only when the
 * OTEL_* variables turn it on, before anything listens or calls out. HTTP in is traced by Node's
 * HTTP instrumentation (the API names each span by its route template), HTTP out by the undici
 * instrumentation (global fetch, which every integration client uses); Temporal's interceptors carry
 * the context through workflows and activities (workers/tracing.ts, app/system.ts). Every span goes
 * through the redaction (redaction.ts) on its way out.
 */
import { createRequire } from 'node:module';
import { context, diag, DiagConsoleLogger, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { pathTemplate, RedactingSpanExporter } from './redaction.ts';
import type { TracingSettings } from './settings.ts';

/** Tracing as it runs in this process: what the workers' workflow sandbox needs to export its spans, and the stop. */
export interface Tracing {
  /** Where ended spans go (redacted, then exported); the workflow sandbox's spans reach it through a sink. */
  spanProcessor: SpanProcessor;
  /** This process's service (`service.name`). */
  resource: Resource;
  /** Exports what is left and takes everything out of the process again. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  exporter: SpanExporter;
  /** Each span exported as it ends (tests read them at once); default: in batches (OTEL_BSP_* tune them). */
  exportEachSpan?: boolean;
}

/** Scraped and probed every few seconds: no trace for them. */
const unobserved = new Set(['/metrics', '/health']);

export function startTracing(options: TracingOptions): Tracing {
  // A failing export (the collector down) is said on stderr; the instrumentations' chatter is not.
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
  const resource = Resource.default().merge(envDetectorSync.detect()).merge(new Resource({ [ATTR_SERVICE_NAME]: options.serviceName }));
  const exporter = new RedactingSpanExporter(options.exporter);
  const spanProcessor = options.exportEachSpan === true ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Outgoing requests all go through fetch (undici, below); the exporter's own are never traced.
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (request) => unobserved.has((request.url ?? '').split('?', 1)[0]!),
      }),
      new UndiciInstrumentation({
        requestHook: (span, request) => {
          const template = pathTemplate(request.path);
          span.setAttribute('url.template', template);
          span.updateName(`${request.method} ${template}`);
        },
      }),
    ],
  });
  // The HTTP instrumentation patches http.Server.prototype when `http` is next required through its
  // hook: required here, so servers whose module loaded before tracing started are traced too.
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  return {
    spanProcessor,
    resource,
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}

/** The exporter the settings name: OTLP over HTTP (protobuf), or the console. */
export function exporterFor(settings: TracingSettings): SpanExporter {
  if (settings.exporter === 'console') return new ConsoleSpanExporter();
  return new OTLPTraceExporter(settings.url === undefined ? {} : { url: settings.url });
}
