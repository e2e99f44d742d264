import type { Client } from '@temporalio/client';

/** A hand-off to Temporal that did not finish within TEMPORAL_HANDOFF_DEADLINE; answered 503. */
export class HandOffDeadlineError extends Error {
  constructor(ms: number) {
    super(`Temporal did not answer within ${ms} ms`);
    this.name = 'HandOffDeadlineError';
  }
}

/**
 * Runs a Temporal call with a gRPC deadline, so no attempt of it runs past `ms`, and answers at that
 * deadline: the client's retry interceptor sleeps between attempts without looking at the deadline,
 * so with Temporal unreachable the call alone would fail up to one back-off (seconds) later.
 */
export async function withinDeadline<T>(temporal: Client, ms: number, call: () => Promise<T>): Promise<T> {
  const running = temporal.connection.withDeadline(Date.now() + ms, call);
  track(temporal, running);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandOffDeadlineError(ms)), ms);
  });
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
    // Settles by itself soon after (its deadline has passed); only `handOffsSettled` waits for it.
    running.catch(() => undefined);
  }
}

const inFlight = new WeakMap<Client, Set<Promise<unknown>>>();

function track(temporal: Client, running: Promise<unknown>): void {
  const calls = inFlight.get(temporal) ?? new Set<Promise<unknown>>();
  inFlight.set(temporal, calls);
  calls.add(running);
  void running.catch(() => undefined).finally(() => calls.delete(running));
}

/**
 * Waits for the calls answered at their deadline to end. Call it before closing the connection: the
 * client's retry interceptor may still be sleeping before one more attempt, and an attempt started
 * on a closed connection throws from a timer (an uncaught exception), not into the call's promise.
 */
export async function handOffsSettled(temporal: Client): Promise<void> {
  await Promise.allSettled([...(inFlight.get(temporal) ?? [])]);
}
