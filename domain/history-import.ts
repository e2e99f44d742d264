/**
 * A history import's terms, shared by its workflow and its activities: which of a chat's WhatsApp
 * messages it takes, what started it, and what it reports.
 */

/** Which of a chat's WhatsApp messages an import takes: those stamped in [since, until), seconds since the epoch. */
export interface HistoryWindow {
  since: number;
  until: number;
}

/** What started an import: the chat's first bridging, or an operator's backfill. A metric's label. */
export type HistoryTrigger = 'first-bridge' | 'operator';

export interface HistoryImportInput {
  chatId: string;
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
}

/**
 * The task queue history imports' activities run on, one at a time per worker: a long import never
 * takes the relay's activity slots, and one worker's imports keep to its pace together.
 */
export const historyTaskQueueOf = (bridgeTaskQueue: string) => `${bridgeTaskQueue}-history`;
