/**
 * The workflow interceptors of a traced worker, bundled into the workflow sandbox (workers/tracing.ts):
 * Temporal's OpenTelemetry interceptors — a span for the run, for each signal, update and query
 * handled, and for each activity scheduled, in the trace of the client call that started or signalled
 * it — and one rule of ours for workflows that live through many requests.
 *
 * Temporal's interceptors schedule every activity in the run's own context, the trace of the call
 * that started the workflow. A chat's workflow relays every message of the chat for a day, so each
 * message after the first would end at its signal and its relay would land in the first message's
 * trace. Here, an activity whose input carries an object that came in with a signal (a chat's event)
 * is scheduled in that signal's context; a batch of several goes in its first event's trace, and each
 * other event's trace gets a `BatchedInto:<activity>` span linking to it. Activities that carry none
 * (the bot's next step, its reminder) go in the trace of the last activity that did, else the run's.
 * Nothing here makes a command: replay is unchanged.
 */
import * as otel from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type {
  ActivityInput, LocalActivityInput, Next, SignalInput, WorkflowInboundCallsInterceptor, WorkflowInterceptors, WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The objects a call carries: its arguments, and their object-valued properties and array items, one level down. */
function carried(args: unknown[]): object[] {
  const found: object[] = [];
  const take = (value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) found.push(value);
  };
  for (const arg of args) {
    if (Array.isArray(arg)) arg.forEach(take);
    else if (typeof arg === 'object' && arg !== null) {
      take(arg);
      for (const value of Object.values(arg)) (Array.isArray(value) ? value : [value]).forEach(take);
    }
  }
  return found;
}

export const interceptors = (): WorkflowInterceptors => {
  // Per workflow run: each signalled object's context (the signal's span), while the workflow holds it.
  const signalled = new WeakMap<object, otel.Context>();
  const linked = new WeakSet<otel.Context>();
  let current: otel.Context | undefined;

  const remember: WorkflowInboundCallsInterceptor = {
    // Inside Temporal's inbound interceptor: the active context is the signal's span.
    handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
      const signal = otel.context.active();
      for (const object of carried(input.args)) signalled.set(object, signal);
      return next(input);
    },
  };

  function inTheirTrace<T>(input: ActivityInput | LocalActivityInput, schedule: () => T): T {
    const contexts = [...new Set(carried(input.args).flatMap((object) => signalled.get(object) ?? []))];
    const [first, ...others] = contexts;
    if (first !== undefined) {
      current = first;
      const target = otel.trace.getSpanContext(first);
      const tracer = otel.trace.getTracer('leguas-workflow');
      for (const other of others) {
        if (linked.has(other) || target === undefined) continue;
        linked.add(other);
        tracer.startSpan(`BatchedInto:${input.activityType}`, { links: [{ context: target }] }, other).end();
      }
    }
    return current === undefined ? schedule() : otel.context.with(current, schedule);
  }

  const schedule: WorkflowOutboundCallsInterceptor = {
    // Outside Temporal's outbound interceptor: its StartActivity span opens in the context chosen here.
    scheduleActivity: (input, next) => inTheirTrace(input, () => next(input)),
    scheduleLocalActivity: (input, next) => inTheirTrace(input, () => next(input)),
  };

  return {
    inbound: [new OpenTelemetryInboundInterceptor(), remember],
    outbound: [schedule, new OpenTelemetryOutboundInterceptor()],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
