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
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandOffDeadlineError(ms)), ms);
  });
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
    // Settles by itself soon after (its deadline has passed); nobody waits for it any more.
    running.catch(() => undefined);
  }
}
