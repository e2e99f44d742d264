/**
 * The engine ceiling: a chat workflow reduced to its round trips. Each signal queues one event;
 * the workflow runs one no-op activity per event, in order, like `conversation` with batches of
 * one and nothing to relay. It ends after handling `expected` events. Bundled on its own and run
 * on a task queue of its own, on the same Temporal server as the bridge.
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CeilingActivities } from './ceiling-activities.ts';

export const ceilingEventSignal = defineSignal<[number]>('ceilingEvent');

export interface CeilingChatInput {
  expected: number;
}

// The same activity options as `conversation`'s.
const { noOp } = proxyActivities<CeilingActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export async function ceilingChat(input: CeilingChatInput): Promise<void> {
  const queue: number[] = [];
  setHandler(ceilingEventSignal, (sequence) => {
    queue.push(sequence);
  });
  for (let handled = 0; handled < input.expected; handled++) {
    await condition(() => queue.length > 0);
    queue.shift();
    await noOp();
  }
}
