import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { allHistoryImportWorkflowId, historyImportWorkflowId, type BlindIndex } from '../../domain/chat.ts';
import { driversLiveMarginSeconds, historyTaskQueueOf, type HistoryTrigger } from '../../domain/history-import.ts';
import type { Config } from '../../platform/config.ts';
import type { historyImport } from '../../workflows/history-import.ts';

/** Where imports run: the bridge's task queue (the workflow) and its history queue (the activities, one at a time per worker). */
export interface HistoryImportPlace {
  taskQueue: string;
  activityQueue: string;
}

/** The configured bridge's place. */
export const historyPlace = (config: Pick<Config, 'BRIDGE_TASK_QUEUE'>): HistoryImportPlace => ({
  taskQueue: config.BRIDGE_TASK_QUEUE, activityQueue: historyTaskQueueOf(config.BRIDGE_TASK_QUEUE),
});

export interface HistoryImportRequest {
  /** One chat's WhatsApp id; unset: every chat WhatsApp lists. */
  chatId?: string;
  days: number;
  /** The window's end, seconds since the epoch (exclusive); the driver's messages only up to `driversLiveMarginSeconds` before it. */
  until: number;
  trigger: HistoryTrigger;
}

/**
 * Starts a history import; its workflow id says which (a chat's, named by its keyed hash, or every
 * chat's), so only one runs per chat at a time. A chat's first bridging imports once: a later first
 * bridging (its conversations deleted) finds the earlier import and starts none. An operator may run
 * one again once the last has ended. Returns the workflow id, or null when one is running already
 * (or, for a first bridging, ever ran).
 */
export async function startHistoryImport(temporal: Client, keys: BlindIndex, place: HistoryImportPlace, request: HistoryImportRequest): Promise<string | null> {
  const workflowId = request.chatId === undefined ? allHistoryImportWorkflowId : historyImportWorkflowId(keys, request.chatId);
  try {
    await temporal.workflow.start<typeof historyImport>('historyImport', {
      workflowId,
      taskQueue: place.taskQueue,
      workflowIdReusePolicy: request.trigger === 'first-bridge' ? WorkflowIdReusePolicy.REJECT_DUPLICATE : WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      args: [{ ...request, driversUntil: request.until - driversLiveMarginSeconds[request.trigger === 'first-bridge' ? 'firstBridge' : 'operator'], activityQueue: place.activityQueue }],
    });
    return workflowId;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw error;
  }
}

/**
 * An operator's backfill (`POST /chats/history-import`, `npm run history:import`): one chat's, or every
 * chat's, over the last `days` (default BRIDGE_HISTORY_IMPORT_DAYS, else 7), up to now. The workflow's
 * id, or null while one for the same is running; and the days it covers.
 */
export async function startBackfill(
  temporal: Client, keys: BlindIndex, config: Pick<Config, 'BRIDGE_TASK_QUEUE' | 'BRIDGE_HISTORY_IMPORT_DAYS'>, request: { chatId?: string | undefined; days?: number | undefined },
): Promise<{ workflowId: string | null; days: number }> {
  const days = request.days ?? (config.BRIDGE_HISTORY_IMPORT_DAYS || 7);
  const workflowId = await startHistoryImport(temporal, keys, historyPlace(config), {
    ...(request.chatId === undefined ? {} : { chatId: request.chatId }), days, until: Math.floor(Date.now() / 1000), trigger: 'operator',
  });
  return { workflowId, days };
}
