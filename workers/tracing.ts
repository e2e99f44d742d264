import { fileURLToPath } from 'node:url';
import {
  makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../platform/tracing/tracing.ts';
import { moduleBeside } from '../platform/module-path.ts';

/**
 * The workflow interceptors of a traced worker (workflow-tracing.ts). They live in the workflow
 * bundle: a bundle built ahead of time (tests, benchmarks) has them only when it was built with
 * `workflowInterceptorModules: [workflowTracingModule]`.
 */
export const workflowTracingModule = fileURLToPath(moduleBeside(import.meta.url, './workflow-tracing'));

/**
 * A worker's part of tracing (loaded only when tracing is on): Temporal's OpenTelemetry interceptors
 * for activities (a span per execution, in the trace of the workflow code that scheduled it; their
 * log lines carry `trace_id` and `span_id`), the workflow interceptors, and the sink through which
 * the workflow sandbox's spans reach this process's span processor.
 */
export function tracingWorkerOptions(tracing: Tracing, bundled: 'from-source' | 'prebuilt'): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      ...(bundled === 'from-source' ? { workflowModules: [workflowTracingModule] } : {}),
      activity: [(context) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(context),
        outbound: new OpenTelemetryActivityOutboundInterceptor(context),
      })],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
