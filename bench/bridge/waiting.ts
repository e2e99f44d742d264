/** Waiting for the system under test, with a limit, and giving up at once when it has gone away. */
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a phase keeps watching after everything arrived, so a late copy is still counted. */
export const lateCopyWindowMs = 1_000;

/**
 * Polls `check` every 20 ms: true once it holds, false when `timeoutMs` passed first. Rejects as
 * soon as `abandoned` does (a child process the run depends on ended).
 */
export async function waitUntil(check: () => boolean, timeoutMs: number, abandoned: Promise<never>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const polling = (async () => {
    while (!check()) {
      if (Date.now() > deadline) return false;
      await sleep(20);
    }
    return true;
  })();
  return Promise.race([polling, abandoned]);
}

/** `promise`, or a rejection naming `what` once `timeoutMs` passed. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const expired = Symbol('expired');
  const outcome = await Promise.race([promise, sleep(timeoutMs, expired, { ref: false })]);
  if (outcome === expired) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
  return outcome;
}
