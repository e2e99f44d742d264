import {
  allHandlersFinished, condition, continueAsNew, defineQuery, defineSignal, patched, proxyActivities, proxyLocalActivities, setHandler, sleep,
  upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { BridgeActivities } from '../activities/bridge/index.ts';
import type { BotSettings, BotState } from '../domain/bot.ts';
import { eventKey, inboundEventKey, targetOf, type ChatEvent, type ChatwootLink } from '../domain/chat.ts';
import { createChatBot } from './chat-bot.ts';
import { ChatQueueFullAttribute } from './search-attributes.ts';

/**
 * One WhatsApp chat, for as long as it is active: its events — messages from the driver, agents'
 * replies from Chatwoot, delivery acks — are handled strictly in arrival order, each once. A
 * redelivered webhook, a polled copy or a doubled Chatwoot delivery is dropped by its business id
 * (here, in a bounded set carried across continue-as-new, and in PostgreSQL by the activities).
 * The workflow ends after `idleTimeoutMs` without events (at most a quarter more); the next
 * message starts a new run.
 *
 * Registered as the workflow type `conversation` (see index.ts): chats already running carry
 * that name, as they carry the signal and query names below.
 */
export interface ChatInput {
  chatId: string;
  idleTimeoutMs: number;
  /** Events taken per activity call: fewer round trips under load, still in order. */
  batchSize: number;
  /** The registration bot's settings as last known, carried across continue-as-new. */
  bot?: BotSettings;
  /**
   * How many events may wait unrelayed (an outage) before the chat is marked full (the
   * `ChatQueueFull` search attribute), so the API refuses its WhatsApp messages with 503 and
   * polling fetches them once it has drained to half. Unset (chats started before the bound): no bound.
   */
  queueMax?: number;
  /**
   * How long an agent's reply waits in the queue before it is relayed, so a reply whose webhook
   * Chatwoot delivered late (it promises no order) still goes first by its message id. Unset (chats
   * started before the window) or 0: replies go as they arrive.
   */
  replyOrderWindowMs?: number;
  /**
   * How long a driver's message delivered late waits in the queue before it is relayed, so a message
   * whose webhook WPPConnect posted alongside a later one (it does not wait between them: a backlog it
   * flushes at once after a reconnection, or what polling brings) and that arrived second still goes
   * first by WhatsApp's timestamp. A message that arrives as it is sent goes at once: no timer, no
   * wait. Unset (chats started before the window) or 0: messages go as they arrive.
   */
  inboundOrderWindowMs?: number;
  /** Carried across continue-as-new. */
  carried?: { seen: string[]; queue: ChatEvent[]; chatwoot: ChatwootLink | null; bot?: BotState; queueFull?: boolean };
}

/** The workflow type chats run as (the name running chats were started with). */
export const chatWorkflowType = 'conversation';

/**
 * A chat's events. The bot's settings come from the worker's configuration with each relay's
 * result; the optional second argument is only read from histories written before that, whose
 * hand-offs sent the settings with every signal.
 */
export type ChatEventsArgs = [events: ChatEvent[], legacyBotSettings?: BotSettings | null];
export const chatEventsSignal = defineSignal<ChatEventsArgs>('chatEvents');
export interface ChatState {
  queued: number;
  handled: number;
  /** Relaying a batch or running the bot's steps for it, or sending its reminder: events handed over may still be in the works. */
  busy: boolean;
  chatwoot: ChatwootLink | null;
  bot: BotState | null;
}
export const chatStateQuery = defineQuery<ChatState>('conversationState');

const seenLimit = 2000;
/** Patch id: the queue is bounded (marked full and back), and continue-as-new carries a queue that is not empty. */
const boundedQueue = 'chat-bounded-queue';
/** Patch id: agents' replies are ordered by Chatwoot message id and wait `replyOrderWindowMs` before they are relayed. */
const replyOrder = 'chat-reply-order';
/** Patch id: a driver's message delivered late waits `inboundOrderWindowMs` before it is relayed. */
const inboundOrder = 'chat-inbound-order';
/**
 * Patch id: a reaction or deletion waits for the message it is about, and an agent's deletion drops
 * its reply from the queue (a worker of the version before, fed these events by a newer API, did neither).
 */
const messageActions = 'chat-message-actions';
/**
 * A driver's message is late when the bridge received it this long after WhatsApp stamped it.
 * Stamps are whole seconds: a message posted as it is sent is at most a second or so old.
 */
const lateDeliveryMs = 3_000;
/**
 * How long a driver's reaction or deletion waits for the message it is about when the chat has not
 * seen that message (its webhook may be a moment behind): it goes as soon as the message arrives,
 * after it; one about a message older than this run goes when the wait is over.
 */
const targetWaitMs = 3_000;
/**
 * Idleness is watched in quarters of the idle time, so the chat ends 1 to 1.25 idle times after its
 * last event. A timeout on every wait would start and cancel a timer per message instead: two more
 * history events and two timer writes on the server each time (bench/bridge).
 */
const idleChecks = 4;

/**
 * A batch is first relayed as a local activity, inside the workflow task that received it: one
 * workflow task per message instead of two plus an activity task, about half the server's work
 * (bench/bridge). Each event is idempotent, so when that fails (Chatwoot or WPPConnect slow or
 * down) the same batch goes to a regular activity that waits the outage out; events already
 * relayed are skipped there.
 */
const quickly = proxyLocalActivities<BridgeActivities>({
  // Longer than one event's worst case (an attachment's download, 60 s, then its send, 15 s, and a
  // Chatwoot call or two, 15 s each): an attempt cut by this timeout stops (its download aborted, no
  // next event begun), but a request already in flight could land after the retry looked for it.
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});
const durably = proxyActivities<BridgeActivities>({
  // A batch heartbeats per event and through every download: the heartbeat timeout finds a dead
  // worker, this one only bounds a batch (resumed from its last heartbeat when cut).
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  // Outages are waited out; the order is kept because nothing overtakes.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

async function relay(batch: Parameters<BridgeActivities['handleChatEvents']>[0]) {
  try {
    return await quickly.handleChatEvents(batch);
  } catch {
    return durably.handleChatEvents(batch);
  }
}

/**
 * Webhooks cross on their way in, so a chat's events can arrive out of order. An inbound message
 * goes after the queued inbound messages that WhatsApp stamped no later than it, and before a
 * queued reaction to it or deletion of it; with `repliesById`, an agent's reply goes after the
 * queued replies with a lower Chatwoot id (Chatwoot's ids grow). Neither passes another event.
 */
function enqueue(queue: ChatEvent[], event: ChatEvent, repliesById: boolean): void {
  const before = (previous: ChatEvent): boolean => {
    if (event.kind === 'inbound') return (previous.kind === 'inbound' && previous.timestamp > event.timestamp) || targetOf(previous) === event.whatsappId;
    if (event.kind === 'outbound' && repliesById) return previous.kind === 'outbound' && previous.chatwootMessageId > event.chatwootMessageId;
    return false;
  };
  let position = queue.length;
  while (position > 0 && before(queue[position - 1]!)) position -= 1;
  queue.splice(position, 0, event);
}

export async function chat(input: ChatInput): Promise<void> {
  const seen = new Set<string>(input.carried?.seen ?? []);
  const queue: ChatEvent[] = [...(input.carried?.queue ?? [])];
  let chatwoot = input.carried?.chatwoot ?? null;
  let handled = 0;
  let received = 0;
  let busy = false;
  let quiet = false;
  let queueFull = input.carried?.queueFull === true;
  /** Events still in their order window, each with its own timer; events carried across continue-as-new have waited already. */
  const waiting = new Set<string>();
  const replyWindow = input.replyOrderWindowMs ?? 0;
  const ordersReplies = () => replyWindow > 0 && patched(replyOrder);
  const inboundWindow = input.inboundOrderWindowMs ?? 0;
  const windowOf = (event: ChatEvent): number => {
    if (event.kind === 'outbound') return ordersReplies() ? replyWindow : 0;
    if (event.kind === 'inbound') {
      const late = event.receivedAt !== undefined && event.receivedAt - event.timestamp * 1000 > lateDeliveryMs;
      return inboundWindow > 0 && late && patched(inboundOrder) ? inboundWindow : 0;
    }
    // Only a driver's message can be behind: the company's own (true_…) were sent before anything reacted to them.
    const target = targetOf(event);
    return target !== null && target.startsWith('false_') && !seen.has(inboundEventKey(target)) && actsOnMessages() ? targetWaitMs : 0;
  };
  /** How many events from the queue's head go in the next batch: up to `batchSize`, cut before the first event still in its window. */
  const ready = () => {
    let end = 0;
    while (end < Math.min(queue.length, input.batchSize) && !waiting.has(eventKey(queue[end]!))) end += 1;
    return end;
  };
  /** Marks the chat full when its queue reaches the bound, and not full once it has drained to half. */
  const watchQueue = () => {
    if (input.queueMax === undefined) return;
    const full = queueFull ? queue.length > input.queueMax / 2 : queue.length >= input.queueMax;
    if (full === queueFull || !patched(boundedQueue)) return;
    queueFull = full;
    upsertSearchAttributes([{ key: ChatQueueFullAttribute, value: full }]);
  };
  /**
   * An agent deleted a reply still waiting here: it never goes to WhatsApp, and neither do retries of
   * it. True when the reply itself was waiting (nothing of it can have been sent, so the deletion has
   * nothing to do); a retry waiting alone means parts may have gone, and the deletion still goes.
   */
  const dropQueuedReply = (chatwootMessageId: number): boolean => {
    let original = false;
    for (let index = queue.length - 1; index >= 0; index--) {
      const queued = queue[index]!;
      if (queued.kind !== 'outbound' || queued.chatwootMessageId !== chatwootMessageId) continue;
      if (queued.retry === undefined) original = true;
      queue.splice(index, 1);
    }
    return original;
  };
  /** Whether this history orders reactions and deletions (`messageActions`). */
  const actsOnMessages = () => patched(messageActions);
  let bot = input.bot === undefined ? undefined : createChatBot(input.chatId, input.bot, input.carried?.bot);
  const configureBot = (settings: BotSettings | null) => {
    if (settings === null) bot = undefined;
    else if (bot === undefined) bot = createChatBot(input.chatId, settings, undefined);
    else bot.configure(settings);
  };

  /** Sets `quiet` once a whole idle time went by with no event arriving and none being relayed. */
  async function watchIdleness(): Promise<void> {
    for (let quietChecks = 0; quietChecks < idleChecks; ) {
      const before = received;
      await sleep(input.idleTimeoutMs / idleChecks);
      // A bot session in progress holds the chat: its dialogue lives in this workflow.
      quietChecks = received === before && queue.length === 0 && !busy && bot?.holdsChat() !== true ? quietChecks + 1 : 0;
    }
    quiet = true;
  }

  setHandler(chatEventsSignal, (events, botSettings) => {
    received += 1;
    if (botSettings !== undefined) configureBot(botSettings);
    for (const event of events) {
      const key = eventKey(event);
      if (seen.has(key)) continue;
      seen.add(key);
      if (event.kind === 'agent-deletion' && actsOnMessages() && dropQueuedReply(event.chatwootMessageId)) continue;
      const window = windowOf(event);
      if (window > 0) {
        waiting.add(key);
        void sleep(window).then(() => waiting.delete(key));
      }
      enqueue(queue, event, event.kind === 'outbound' && ordersReplies());
      // What waited for this message goes right after it.
      if (event.kind === 'inbound') for (const other of queue) if (targetOf(other) === event.whatsappId) waiting.delete(eventKey(other));
    }
    // Bounded: the oldest keys go first (a Set iterates in insertion order); PostgreSQL still dedupes them.
    for (const key of seen) {
      if (seen.size <= seenLimit) break;
      seen.delete(key);
    }
    watchQueue();
  });
  setHandler(chatStateQuery, () => ({ queued: queue.length, handled, busy, chatwoot, bot: bot?.state ?? null }));

  // A run continued while full says so again (the attribute may not carry over) and clears it once drained.
  if (queueFull && patched(boundedQueue)) upsertSearchAttributes([{ key: ChatQueueFullAttribute, value: true }]);
  void watchIdleness();
  for (;;) {
    await condition(() => queue.length > 0 || quiet || bot?.reminderDue() === true);
    if (bot?.reminderDue() === true) {
      busy = true;
      await bot.remind(chatwoot);
      busy = false;
      continue;
    }
    if (queue.length === 0) {
      await condition(allHandlersFinished);
      if (queue.length === 0) return;
    }
    if (quiet) {
      quiet = false;
      void watchIdleness();
    }
    // An event at the head waits out its window: one its webhook overtook can still go before it.
    if (waiting.size > 0) await condition(() => ready() > 0);
    // Taken off the queue first: messages arriving meanwhile are ordered among the ones still waiting.
    const batch = queue.splice(0, waiting.size === 0 ? input.batchSize : ready());
    watchQueue();
    busy = true;
    const result = await relay({ chatId: input.chatId, events: batch, chatwoot });
    chatwoot = result.chatwoot;
    // The worker's configuration, so a chat that was running when Typebot was switched on, off or retuned follows it.
    if (result.bot !== undefined) configureBot(result.bot);
    if (bot !== undefined) await bot.afterRelay(batch, result);
    busy = false;
    handled += batch.length;

    // A backlog goes along (waiting for it to empty let a long outage grow the history without end).
    if (workflowInfo().continueAsNewSuggested && (queue.length === 0 || patched(boundedQueue))) {
      await condition(allHandlersFinished);
      const { bot: _settings, ...rest } = input;
      await continueAsNew<typeof chat>({
        ...rest,
        ...(bot === undefined ? {} : { bot: bot.settings() }),
        carried: { seen: [...seen], queue, chatwoot, ...(bot === undefined ? {} : { bot: bot.state }), ...(queueFull ? { queueFull } : {}) },
      });
    }
  }
}
