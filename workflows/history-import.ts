import { WorkflowIdReusePolicy } from '@temporalio/common';
import { continueAsNew, executeChild, isCancellation, ParentClosePolicy, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HistoryImportActivities } from '../activities/bridge/history-import.ts';
import { historyImportWorkflowIdOfIndex } from '../domain/chat.ts';
import type { HistoryImportSummary, HistoryTrigger } from '../domain/history-import.ts';

/**
 * A history import: a chat's WhatsApp messages of the last `days` days posted into its Chatwoot
 * conversation, oldest first, each once, marked as imported, at the worker's pace (under Chatwoot's
 * rate limit). For one chat (its first bridging, or an operator's backfill), or for every chat
 * WhatsApp lists (an operator's backfill): then each chat is imported by its own import workflow,
 * one after another. Resumable: each message's relay record says it was posted, so an attempt cut
 * by a worker's death is taken up where it stopped. A chat's import is named by the chat's keyed
 * hash and its payloads are sealed with the chat's key; a backfill of every chat holds keyed hashes
 * and counts only.
 */
export interface HistoryImportWorkflowInput {
  /** One chat's WhatsApp id, or its keyed hash (a chat of a backfill of every chat); neither: every chat. */
  chatId?: string;
  chatIndex?: string;
  days: number;
  /** The window's end, seconds since the epoch (exclusive): the first bridged message's stamp, or when an operator asked. */
  until: number;
  /** The driver's messages only before this (seconds): later ones are live. Unset: `until`. */
  driversUntil?: number;
  trigger: HistoryTrigger;
  /** The task queue the import's activities run on (BRIDGE_TASK_QUEUE-history: one import at a time per worker). */
  activityQueue: string;
  /** Every chat: the keyed hash of the last chat done, and the counts so far (carried across continue-as-new). */
  after?: string;
  done?: HistoryImportSummary;
}

export async function historyImport(input: HistoryImportWorkflowInput): Promise<HistoryImportSummary> {
  const activities = proxyActivities<HistoryImportActivities>({
    taskQueue: input.activityQueue,
    // A chat of 5,000 messages at 60 a minute takes about 84 minutes; the heartbeat finds a dead worker.
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '1 minute',
    // Chatwoot's 429 (its rate limit) and outages are waited out, each retry resuming; a chat of a
    // backfill of every chat gives up after about half an hour, so the backfill goes on without it.
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', ...(input.chatIndex === undefined ? {} : { maximumAttempts: 20 }) },
  });
  const { until } = input;
  const window = { since: until - input.days * 86_400, until, driversUntil: input.driversUntil ?? until };
  const run = workflowInfo().firstExecutionRunId;

  const chat = input.chatId !== undefined ? { chatId: input.chatId } : input.chatIndex !== undefined ? { chatIndex: input.chatIndex } : null;
  if (chat !== null) {
    const result = await activities.importChatHistory({ chat, window, run, trigger: input.trigger });
    return { chats: 1, messages: result.total, imported: result.imported, skipped: 0 };
  }
  const done = { ...(input.done ?? { chats: 0, messages: 0, imported: 0, skipped: 0 }) };
  for (let after = input.after ?? null; ; ) {
    const index = await activities.nextChatOfBackfill({ after, since: window.since });
    if (index === null) return done;
    after = index;
    try {
      const result = await executeChild(historyImport, {
        workflowId: historyImportWorkflowIdOfIndex(index),
        args: [{ chatIndex: index, days: input.days, until, trigger: input.trigger, activityQueue: input.activityQueue }],
        // Again after an earlier import of the chat ended; refused while one runs (it is skipped).
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        parentClosePolicy: ParentClosePolicy.TERMINATE,
      });
      done.chats += 1;
      done.messages += result.messages;
      done.imported += result.imported;
    } catch (error) {
      if (isCancellation(error)) throw error;
      // Its own import runs (its first, or an operator's), or it failed for good: the others go on.
      done.skipped += 1;
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof historyImport>({ ...input, after, done });
  }
}
