import {
  condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo, allHandlersFinished,
} from '@temporalio/workflow';
import type { BridgeActivities } from '../activities/bridge/index.ts';
import { eventKey, type ChatEvent } from '../domain/bridge-events.ts';

/**
 * One WhatsApp chat, for as long as it is active: its events — messages from the driver, agents'
 * replies from Chatwoot, delivery acks — are handled strictly in arrival order, each once. A
 * redelivered webhook, a polled copy or a doubled Chatwoot delivery is dropped by its business id
 * (here, in a bounded set carried across continue-as-new, and in PostgreSQL by the activities).
 * The workflow ends after `idleTimeoutMs` without events; the next message starts a new run.
 */
export interface ConversationInput {
  chatId: string;
  idleTimeoutMs: number;
  /** Events taken per activity call: fewer round trips under load, still in order. */
  batchSize: number;
  /** Carried across continue-as-new. */
  carried?: { seen: string[]; queue: ChatEvent[]; chatwoot: ChatwootLink | null };
}

export interface ChatwootLink {
  contactId: number;
  conversationId: number;
}

export const chatEventsSignal = defineSignal<[ChatEvent[]]>('chatEvents');
export const conversationStateQuery = defineQuery<{ queued: number; handled: number; chatwoot: ChatwootLink | null }>('conversationState');

const seenLimit = 2000;

const bridge = proxyActivities<BridgeActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  // Outages of Chatwoot or WPPConnect are waited out; the order is kept because nothing overtakes.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * WPPConnect posts webhooks concurrently, so a driver's messages can arrive out of order: an inbound
 * message goes after the queued inbound messages that WhatsApp stamped no later than it.
 */
function enqueue(queue: ChatEvent[], event: ChatEvent): void {
  if (event.kind !== 'inbound') {
    queue.push(event);
    return;
  }
  let position = queue.length;
  while (position > 0) {
    const previous = queue[position - 1]!;
    if (previous.kind !== 'inbound' || previous.timestamp <= event.timestamp) break;
    position -= 1;
  }
  queue.splice(position, 0, event);
}

export async function conversation(input: ConversationInput): Promise<void> {
  const seen = new Set<string>(input.carried?.seen ?? []);
  const queue: ChatEvent[] = [...(input.carried?.queue ?? [])];
  let chatwoot = input.carried?.chatwoot ?? null;
  let handled = 0;

  setHandler(chatEventsSignal, (events) => {
    for (const event of events) {
      const key = eventKey(event);
      if (seen.has(key)) continue;
      seen.add(key);
      enqueue(queue, event);
    }
    // Bounded: the oldest keys go first (a Set iterates in insertion order); PostgreSQL still dedupes them.
    for (const key of seen) {
      if (seen.size <= seenLimit) break;
      seen.delete(key);
    }
  });
  setHandler(conversationStateQuery, () => ({ queued: queue.length, handled, chatwoot }));

  for (;;) {
    const active = await condition(() => queue.length > 0, input.idleTimeoutMs);
    if (!active) {
      await condition(allHandlersFinished);
      if (queue.length === 0) return;
    }
    // Taken off the queue first: messages arriving meanwhile are ordered among the ones still waiting.
    const batch = queue.splice(0, input.batchSize);
    const result = await bridge.handleChatEvents({ chatId: input.chatId, events: batch, chatwoot });
    chatwoot = result.chatwoot;
    handled += batch.length;

    if (queue.length === 0 && workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof conversation>({ ...input, carried: { seen: [...seen], queue, chatwoot } });
    }
  }
}
