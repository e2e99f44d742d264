import { Context, log } from '@temporalio/activity';
import { setTimeout as sleep } from 'node:timers/promises';
import { chatwootSourceId, isWhatsAppChatId, type ChatwootLink } from '../../domain/chat.ts';
import type { HistoryImportInput, HistoryImportResult, HistoryWindow } from '../../domain/history-import.ts';
import { historyNotes } from '../../domain/texts/agents.ts';
import { isImportable, toInboundEvent } from '../../integrations/wppconnect/chat-event.ts';
import { ChatwootThrottledError } from '../../integrations/chatwoot/client.ts';
import type { WhatsAppMessage } from '../../integrations/wppconnect/client.ts';
import { ownedMessageIds } from '../../platform/stores/deliveries.ts';
import { chatErasedAt, claimInboundRelay, completeInboundRelay, inboundClaims } from '../../platform/stores/relays.ts';
import { heartbeating } from '../delivery/heartbeating.ts';
import { postToConversationOnce } from '../delivery/chatwoot-once.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { relayInbound } from './relay-inbound.ts';
import { resolveConversation } from './resolve-conversation.ts';

/** Messages asked of WPPConnect per get-messages call, going back page by page. */
const pageSize = 100;
/** At most this many of a chat's messages are imported (the newest of the window): a bound on one activity's memory. */
const historyImportMax = 5_000;
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

/** How long an import waits out Chatwoot's 429s in place before it leaves them to Temporal's retries. */
const throttledForMs = 5 * 60_000;

/**
 * Runs a Chatwoot call of an import, waiting its rate limit out in place: on a 429 the worker's pace
 * slows down and the call is tried again after a pause (1 s, doubling to 10 s), for up to 5 minutes;
 * then, as other failures, the activity fails and Temporal retries it (resumed from the relay records).
 */
async function underRateLimit<T>(pace: HistoryPace, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + throttledForMs;
  for (let pauseMs = 1_000; ; pauseMs = Math.min(pauseMs * 2, slowestSpacingMs)) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ChatwootThrottledError) || Date.now() > giveUpAt) throw error;
      pace.slowDown();
      await sleep(pauseMs, undefined, { signal });
    }
  }
}

/** The chats a backfill of every chat goes through: WhatsApp chats (groups when bridged) active in the window, by keyed hash. */
async function chatsOfBackfill(deps: HistoryDependencies, since: number): Promise<Array<{ chatId: string; index: string }>> {
  const chats = await deps.wppconnect.listChats({ count: backfillChatsMax });
  return chats
    .filter((chat) => isWhatsAppChatId(chat.id) && (deps.includeGroups || !chat.isGroup) && (chat.lastMessageAt === null || chat.lastMessageAt >= since))
    .map((chat) => ({ chatId: chat.id, index: deps.personal.index('chat', chat.id) }));
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
  const inWindow = pages.flat().filter((message) => message.timestamp >= window.since && isImportable(message)
    && message.timestamp < (message.fromMe ? window.until : window.driversUntil));
  // Each page is oldest first and pages go back in time: one stable sort by WhatsApp's stamp orders the whole.
  return inWindow.sort((a, b) => a.timestamp - b.timestamp).slice(-historyImportMax);
}

/**
 * A claim younger than this is another relay's at work (the chat's live relay, say): the import leaves
 * that message to it. An import's own claim, left by a worker that died, is older than this by the
 * time Temporal retries the import (the heartbeat timeout is a minute), and is taken up.
 */
const liveClaimMs = 10_000;

/**
 * Imports a chat's WhatsApp history into its Chatwoot conversation, oldest first, each message once:
 * a message already relayed (live, by an earlier attempt or run) is skipped by its relay record, so
 * a retry after a worker died resumes where it stopped, and the messages the system itself sent
 * (its deliveries) are left out: they are in Chatwoot already, as agents' replies or the bot's. What
 * WhatsApp stamped before the chat's driver was erased never comes back. Private notes, each claimed
 * like a message so it is posted once: it started (how many), how many of the window's messages are
 * in the conversation every 100, and that it finished; none when there is nothing to import.
 */
async function importChatHistory(deps: HistoryDependencies, input: HistoryImportInput): Promise<HistoryImportResult> {
  const context = Context.current();
  const chatId = 'chatId' in input.chat ? input.chat.chatId : await chatOfIndex(deps, input.chat.chatIndex, input.window.since);
  if (chatId === null) return { total: 0, imported: 0 };
  const state = { handled: 0, total: 0 };
  return heartbeating(async () => {
    const erasedAt = await chatErasedAt(deps.db, deps.personal, chatId);
    const window = { ...input.window, since: Math.max(input.window.since, erasedAt ?? 0) };
    const found = await windowMessages(deps, chatId, window);
    const sentBySystem = await ownedMessageIds(deps.db, deps.personal, found.filter((message) => message.fromMe).map((message) => message.id));
    const messages = found.filter((message) => !sentBySystem.has(message.id));
    const noteKey = (stage: string) => chatwootSourceId.historyNote(input.run, stage);
    const claims = await inboundClaims(deps.db, deps.personal, chatId, [...messages.map((message) => message.id), noteKey('started')]);
    const waiting = messages.filter((message) => {
      const claim = claims.get(message.id);
      return claim === undefined || (claim.status === 'pending' && claim.pendingMs >= liveClaimMs);
    });
    const total = messages.length;
    state.total = total;
    state.handled = total - waiting.length;
    // Nothing to do, and (a retry) nothing of this run to finish: no note either.
    if (total === 0 || (waiting.length === 0 && claims.get(noteKey('started')) === undefined)) return { total, imported: 0 };

    const resolved = await resolveConversation({ ...deps, firstBridged: undefined }, chatId, messages.find((message) => !message.fromMe)?.pushname ?? null);
    const link: ChatwootLink = { contactId: resolved.contactId, conversationId: resolved.conversationId };
    const paced = async <T>(call: () => Promise<T>) => {
      await deps.historyPace.wait(context.cancellationSignal);
      return underRateLimit(deps.historyPace, context.cancellationSignal, call);
    };
    const note = (stage: string, content: string) => paced(() => noteOnce(deps, chatId, link, noteKey(stage), content));
    const from = day(messages[0]!.timestamp);
    const to = day(messages.at(-1)!.timestamp);
    if (waiting.length > 0) await note('started', historyNotes.started(waiting.length, from, to));

    let imported = 0;
    for (const message of waiting) {
      context.cancellationSignal.throwIfAborted();
      // The driver erased meanwhile: nothing more of theirs goes in.
      if (((await chatErasedAt(deps.db, deps.personal, chatId)) ?? 0) > window.since) break;
      const at = timeFormat.format(new Date(message.timestamp * 1000));
      const now = await paced(() => relayInbound(deps, chatId, toInboundEvent(message, null), link, { at, fromCompany: message.fromMe }));
      state.handled += 1;
      if (now) {
        imported += 1;
        deps.metrics.historyImported.inc({ direction: message.fromMe ? 'company' : 'driver' });
      }
      if (state.handled % progressEvery === 0 && state.handled < total) await note(`progress:${state.handled}`, historyNotes.progress(state.handled, total));
    }
    if (state.handled === total) await note('finished', historyNotes.finished(total, from, to));
    if (imported > 0) deps.metrics.historyChatsImported.inc({ trigger: input.trigger });
    log.info('Chat history imported', { total, imported });
    return { total, imported };
  }, () => state);
}

/** Posts an import's note into the conversation once, claimed in `bridge_messages` under its source id as a message is. */
async function noteOnce(deps: HistoryDependencies, chatId: string, link: ChatwootLink, sourceId: string, content: string): Promise<void> {
  const relay = { chatId, whatsappMessageId: sourceId };
  const state = await claimInboundRelay(deps.db, deps.personal, relay);
  if (state === 'done' || state === 'failed') return;
  const posted = await postToConversationOnce(deps.chatwoot, link.conversationId, sourceId, () => ({ messageType: 'outgoing', private: true, content }), { lookFirst: state === 'pending' });
  await completeInboundRelay(deps.db, deps.personal, relay, { chatwootMessageId: posted.id, chatwootConversationId: link.conversationId });
}

/** A chat of a backfill of every chat, from its keyed hash: null when WhatsApp no longer lists it. */
async function chatOfIndex(deps: HistoryDependencies, index: string, since: number): Promise<string | null> {
  return (await chatsOfBackfill(deps, since)).find((chat) => chat.index === index)?.chatId ?? null;
}

/** Chats WhatsApp lists for a backfill of every chat: at most this many, the most recently active first. */
const backfillChatsMax = 10_000;

/** The history import's activities; they run on the bridge's history task queue, one at a time per worker. */
export function createHistoryImportActivities(deps: HistoryDependencies) {
  return {
    importChatHistory: (input: HistoryImportInput) => importChatHistory(deps, input),

    /**
     * A backfill of every chat: the keyed hash of the chat after `after` in their order (so the
     * workflow's history names no chat, and chats becoming active meanwhile do not move the others),
     * among WhatsApp's chats active since `since`; null when none is left.
     */
    async nextChatOfBackfill(input: { after: string | null; since: number }): Promise<string | null> {
      const indexes = (await chatsOfBackfill(deps, input.since)).map((chat) => chat.index).filter((index) => input.after === null || index > input.after);
      return indexes.sort()[0] ?? null;
    },
  };
}

export type HistoryImportActivities = ReturnType<typeof createHistoryImportActivities>;
