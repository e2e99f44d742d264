import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HistoryImportActivities } from '../activities/bridge/history-import.ts';
import type { HistoryImportSummary, HistoryTrigger } from '../domain/history-import.ts';

/**
 * A history import: a chat's WhatsApp messages of the last `days` days posted into its Chatwoot
 * conversation, oldest first, each once, marked as imported, at the worker's pace (under Chatwoot's
 * rate limit). For one chat (its first bridging, or an operator's backfill) or for every chat
 * WhatsApp lists (an operator's backfill, one chat after another). Resumable: each message's relay
 * record says it was posted, so an attempt cut by a worker's death is taken up where it stopped.
 * Its history holds the chat's id only for a one-chat import, whose payloads are sealed with the
 * chat's key; a backfill of every chat goes by keyed hashes.
 */
export interface HistoryImportWorkflowInput {
  /** One chat's WhatsApp id; unset: every chat. */
  chatId?: string;
  days: number;
  /** The window's end, seconds since the epoch (exclusive): the first bridged message's stamp, or when an operator asked. */
  until: number;
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
    // Chatwoot's 429 (its rate limit) and outages are waited out; each retry resumes.
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes' },
  });
  const { until } = input;
  const window = { since: until - input.days * 86_400, until };
  const run = workflowInfo().firstExecutionRunId;

  if (input.chatId !== undefined) {
    const result = await activities.importChatHistory({ chatId: input.chatId, window, run, trigger: input.trigger });
    return { chats: 1, messages: result.total, imported: result.imported };
  }
  const done = { ...(input.done ?? { chats: 0, messages: 0, imported: 0 }) };
  for (let after = input.after ?? null; ; ) {
    const next = await activities.importNextChatHistory({ after, window, run, trigger: input.trigger });
    if (next === null) return done;
    after = next.index;
    done.chats += 1;
    done.messages += next.result.total;
    done.imported += next.result.imported;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof historyImport>({ ...input, after, done });
  }
}
