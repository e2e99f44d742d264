/**
 * A history import's terms, shared by its workflow and its activities: which of a chat's WhatsApp
 * messages it takes, what started it, and what it reports.
 */

/**
 * Which of a chat's WhatsApp messages an import takes: those stamped in [since, until), seconds since
 * the epoch; the driver's only before `driversUntil` (a driver's message after it is live: its
 * webhook may still be on its way, and the chat's workflow relays it).
 */
export interface HistoryWindow {
  since: number;
  until: number;
  driversUntil: number;
}

/** What started an import: the chat's first bridging, or an operator's backfill. A metric's label. */
export type HistoryTrigger = 'first-bridge' | 'operator';

export interface HistoryImportInput {
  /** The chat, by its WhatsApp id, or (a backfill of every chat) by its keyed hash, looked up among the chats WhatsApp lists. */
  chat: { chatId: string } | { chatIndex: string };
  window: HistoryWindow;
  /** Names the run's progress notes, so a retried attempt finds the notes it posted. */
  run: string;
  trigger: HistoryTrigger;
}

export interface HistoryImportResult {
  /** Messages of the window (the driver's and the company phone's): imported now, before, or relayed live. */
  total: number;
  /** Posted by this call. */
  imported: number;
}

/** One history import's totals. */
export interface HistoryImportSummary {
  chats: number;
  /** Messages in the chats' windows (imported by this run, before it, or relayed live). */
  messages: number;
  /** Posted by this run. */
  imported: number;
  /** Chats of a backfill of every chat left out: their own import was running, or failed for good. */
  skipped: number;
}

/**
 * The task queue history imports' activities run on, one at a time per worker: a long import never
 * takes the relay's activity slots, and one worker's imports keep to its pace together.
 */
export const historyTaskQueueOf = (bridgeTaskQueue: string) => `${bridgeTaskQueue}-history`;

/**
 * How long before its window's end a driver's messages are left to the live relay: a chat's first
 * bridged message's webhook may have overtaken an earlier one's (a minute), and an operator's
 * backfill ends now, while the chat's workflow may still be relaying what just came (ten minutes).
 * What the company's phone sent goes up to the end: the live relay never takes it.
 */
export const driversLiveMarginSeconds = { firstBridge: 60, operator: 600 } as const;
