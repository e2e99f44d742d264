import { Context, log } from '@temporalio/activity';
import { setTimeout as sleep } from 'node:timers/promises';
import { chatwootSourceId, type ChatwootLink } from '../../domain/chat.ts';
import type { HistoryImportInput, HistoryImportResult, HistoryWindow } from '../../domain/history-import.ts';
import { historyNotes } from '../../domain/texts/agents.ts';
import { isImportable, toInboundEvent } from '../../integrations/wppconnect/chat-event.ts';
import { ChatwootThrottledError } from '../../integrations/chatwoot/client.ts';
import type { WhatsAppMessage } from '../../integrations/wppconnect/client.ts';
import { relayedInbound } from '../../platform/stores/relays.ts';
import { postToConversationOnce } from '../delivery/chatwoot-once.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { relayInbound } from './relay-inbound.ts';
import { resolveConversation } from './resolve-conversation.ts';

/** Messages asked of WPPConnect per get-messages call, going back page by page. */
const pageSize = 100;
/** At most this many of a chat's messages are imported (the newest of the window): a bound on one activity's memory. */
export const historyImportMax = 5_000;
/** A progress note every this many messages. */
const progressEvery = 100;

const dayFormat = new Intl.DateTimeFormat('pt-PT', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Lisbon' });
const timeFormat = new Intl.DateTimeFormat('pt-PT', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Lisbon' });
const day = (seconds: number) => dayFormat.format(new Date(seconds * 1000));

/** What imports work with: the bridge's dependencies, the pace, and whether groups are bridged. */
export interface HistoryDependencies extends BridgeDependencies {
  historyPace: HistoryPace;
  includeGroups: boolean;
}

export interface HistoryPace {
  /** Resolves when the next Chatwoot post may go. */
  wait(signal: AbortSignal): Promise<void>;
  /** Chatwoot answered 429: posts go half as often (at least one every 10 s), then speed back up to the configured pace, 5 % a post. */
  slowDown(): void;
}

/**
 * The pace of a worker's imports: at most `perMinute` Chatwoot posts a minute, shared by every
 * import the worker runs, so a backfill stays under Chatwoot's rate limit (Rack::Attack) beside the
 * live relay.
 */
export function createHistoryPace(perMinute: number): HistoryPace {
  const configuredMs = 60_000 / perMinute;
  let spacingMs = configuredMs;
  let next = 0;
  return {
    async wait(signal) {
      const now = Date.now();
      const at = Math.max(now, next);
      next = at + spacingMs;
      spacingMs = Math.max(configuredMs, spacingMs * 0.95);
      if (at > now) await sleep(at - now, undefined, { signal });
    },
    slowDown() {
      spacingMs = Math.min(slowestSpacingMs, spacingMs * 2);
    },
  };
}

/** The slowest an import's pace goes when Chatwoot throttles it (below the heartbeat timeout). */
const slowestSpacingMs = 10_000;

/**
 * Runs a Chatwoot call of an import, waiting its rate limit out in place: on a 429 the worker's pace
 * slows down and the call is tried again after a pause (1 s, doubling to 10 s). Other failures are
 * the activity's (retried by Temporal, resumed from the relay records).
 */
async function underRateLimit<T>(pace: HistoryPace, signal: AbortSignal, beat: () => void, call: () => Promise<T>): Promise<T> {
  for (let pauseMs = 1_000; ; pauseMs = Math.min(pauseMs * 2, slowestSpacingMs)) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ChatwootThrottledError)) throw error;
      pace.slowDown();
      beat();
      await sleep(pauseMs, undefined, { signal });
    }
  }
}

/** The window's messages, oldest first, read back page by page from the newest (at most `historyImportMax`, the newest). */
async function windowMessages(deps: Pick<BridgeDependencies, 'wppconnect'>, chatId: string, window: HistoryWindow): Promise<WhatsAppMessage[]> {
  const pages: WhatsAppMessage[][] = [];
  let held = 0;
  for (let beforeId: string | undefined; ; ) {
    const page = await deps.wppconnect.chatMessages({ chatId, count: pageSize, ...(beforeId === undefined ? {} : { beforeId }) });
    pages.unshift(page);
    held += page.length;
    const oldest = page[0];
    if (oldest === undefined || page.length < pageSize || oldest.timestamp < window.since || held >= historyImportMax + pageSize) break;
    beforeId = oldest.id;
  }
  const inWindow = pages.flat().filter((message) => message.timestamp >= window.since && message.timestamp < window.until && isImportable(message));
  // Each page is oldest first and pages go back in time: one stable sort by WhatsApp's stamp orders the whole.
  return inWindow.sort((a, b) => a.timestamp - b.timestamp).slice(-historyImportMax);
}

/**
 * Imports a chat's WhatsApp history into its Chatwoot conversation, oldest first, each message once:
 * a message already relayed (live, or by an earlier attempt or run) is skipped by its relay record,
 * so a retry after a worker died resumes where it stopped. Private notes say it started, how far it
 * is every 100 messages, and that it finished; none when there is nothing to import.
 */
async function importChatHistory(deps: HistoryDependencies, input: HistoryImportInput): Promise<HistoryImportResult> {
  const context = Context.current();
  const { chatId, window } = input;
  const messages = await windowMessages(deps, chatId, window);
  const relayed = await relayedInbound(deps.db, deps.personal, chatId, messages.map((message) => message.id));
  const waiting = messages.filter((message) => !relayed.has(message.id));
  const total = messages.length;
  // A retry with nothing left may still owe the last note (the attempt before died just before it).
  const retry = context.info.attempt > 1;
  if (total === 0 || (waiting.length === 0 && !retry)) return { total, imported: 0 };

  const resolved = await resolveConversation({ ...deps, firstBridged: undefined }, chatId, messages.find((message) => !message.fromMe)?.pushname ?? null);
  const link: ChatwootLink = { contactId: resolved.contactId, conversationId: resolved.conversationId };
  let handled = total - waiting.length;
  const beat = () => context.heartbeat({ handled, total });
  const paced = async <T>(call: () => Promise<T>) => {
    await deps.historyPace.wait(context.cancellationSignal);
    return underRateLimit(deps.historyPace, context.cancellationSignal, beat, call);
  };
  // Looked for first: a note an attempt before posted is among the conversation's latest messages
  // (each goes right before the messages it announces, or right after the last one).
  const note = (stage: string, content: string) => paced(() => postToConversationOnce(deps.chatwoot, link.conversationId, chatwootSourceId.historyNote(input.run, stage), () => ({
    messageType: 'outgoing', private: true, content,
  }), { lookFirst: true }));
  const noteProgress = () => note(`progress:${handled}`, historyNotes.progress(handled, total));
  if (handled === 0) await note('started', historyNotes.started(total, day(messages[0]!.timestamp), day(messages.at(-1)!.timestamp)));
  else if (handled % progressEvery === 0 && handled < total) await noteProgress();

  let imported = 0;
  for (const message of waiting) {
    context.cancellationSignal.throwIfAborted();
    beat();
    const at = timeFormat.format(new Date(message.timestamp * 1000));
    const now = await paced(() => relayInbound(deps, chatId, toInboundEvent(message, null), link, { at, fromCompany: message.fromMe }));
    handled += 1;
    if (now) {
      imported += 1;
      deps.metrics.historyImported.inc({ direction: message.fromMe ? 'company' : 'driver' });
    }
    if (handled % progressEvery === 0 && handled < total) await noteProgress();
  }
  await note('finished', historyNotes.finished(total));
  if (imported > 0) deps.metrics.historyChatsImported.inc({ trigger: input.trigger });
  log.info('Chat history imported', { total, imported });
  return { total, imported };
}

/** Chats WhatsApp lists for a backfill of every chat: at most this many, the most recently active first. */
const backfillChatsMax = 10_000;

/** The history import's activities; they run on the bridge's history task queue, one at a time per worker. */
export function createHistoryImportActivities(deps: HistoryDependencies) {
  return {
    importChatHistory: (input: HistoryImportInput) => importChatHistory(deps, input),

    /**
     * A backfill of every chat, one chat per call: the chat after `after` in the order of their keyed
     * hashes (so the workflow's history names no chat, and chats becoming active meanwhile do not move
     * the others), with a message in the window; null when none is left.
     */
    async importNextChatHistory(input: Omit<HistoryImportInput, 'chatId'> & { after: string | null }): Promise<{ index: string; result: HistoryImportResult } | null> {
      const chats = (await deps.wppconnect.listChats({ count: backfillChatsMax }))
        .filter((chat) => (deps.includeGroups || !chat.isGroup) && (chat.lastMessageAt === null || chat.lastMessageAt >= input.window.since))
        .map((chat) => ({ chatId: chat.id, index: deps.personal.index('chat', chat.id) }))
        .filter((chat) => input.after === null || chat.index > input.after)
        .sort((a, b) => (a.index < b.index ? -1 : 1));
      const next = chats[0];
      if (next === undefined) return null;
      return { index: next.index, result: await importChatHistory(deps, { ...input, chatId: next.chatId }) };
    },
  };
}

export type HistoryImportActivities = ReturnType<typeof createHistoryImportActivities>;
