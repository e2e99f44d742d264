/**
 * How a phase sends its messages: as fast as they are taken (a bounded number in flight), or
 * open-loop on a fixed arrival schedule. Either way a chat's next message starts only after its
 * previous one was answered: a driver's messages reach the webhook in the order they were typed
 * (the bridge keeps the order it is handed, and WhatsApp's timestamps have one-second resolution).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachConcurrently } from '../shared/concurrency.ts';

export interface SendPlan {
  total: number;
  chatOf(index: number): number;
}

/** One promise chain per chat. */
function chatChains() {
  const tails = new Map<number, Promise<unknown>>();
  return (chat: number, work: () => Promise<void>): Promise<void> => {
    const next = (tails.get(chat) ?? Promise.resolve()).then(work);
    tails.set(chat, next.catch(() => undefined));
    return next;
  };
}

/** At most `concurrency` sends in flight; each lane takes the next message when its send was answered. */
export async function sendAsFastAsTaken(plan: SendPlan, concurrency: number, send: (index: number) => Promise<void>): Promise<void> {
  const inChatOrder = chatChains();
  await forEachConcurrently(plan.total, concurrency, (index) => inChatOrder(plan.chatOf(index), () => send(index)));
}

/**
 * Message `i` is due at start + i / ratePerSecond, whether or not earlier ones were answered.
 * Returns how late each send started against its schedule (it waits when its chat's previous
 * message is still unanswered, or when this process falls behind).
 */
export async function sendAtRate(plan: SendPlan, ratePerSecond: number, send: (index: number) => Promise<void>): Promise<{ startLagMs: number[] }> {
  const inChatOrder = chatChains();
  const startLagMs: number[] = [];
  const sends: Array<Promise<void>> = [];
  const failures: unknown[] = [];
  const started = performance.now();
  for (let index = 0; index < plan.total && failures.length === 0; index++) {
    const due = started + (index * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    const sent = inChatOrder(plan.chatOf(index), () => {
      startLagMs.push(Math.max(0, performance.now() - due));
      return send(index);
    });
    sends.push(sent.catch((error: unknown) => void failures.push(error)));
  }
  await Promise.all(sends);
  if (failures.length > 0) throw failures[0];
  return { startLagMs };
}
