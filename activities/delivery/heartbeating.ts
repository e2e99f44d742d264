import { Context } from '@temporalio/activity';

/**
 * Runs an activity's step heartbeating every 5 s (with `details()` when given), so a step that waits
 * a long while on another system (Typebot's HTTP blocks, a file's download, a rate limit) is never
 * taken for a dead worker, and a worker that does die is noticed within the heartbeat timeout, not
 * after the step's whole time limit.
 */
export async function heartbeating<T>(step: () => Promise<T>, details?: () => unknown): Promise<T> {
  const context = Context.current();
  const beat = () => context.heartbeat(details?.());
  const timer = setInterval(beat, 5_000);
  try {
    return await step();
  } finally {
    clearInterval(timer);
  }
}
