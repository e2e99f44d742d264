import type { Client } from '@temporalio/client';
import { chatWorkflowId, type ChatEvent } from '../domain/bridge-events.ts';
import { chatEventsSignal, conversation } from '../workflows/conversation.ts';

export interface ChatHandOff {
  temporal: Client;
  taskQueue: string;
  idleTimeoutMs: number;
  batchSize: number;
}

/**
 * The durable hand-off of a chat's events: once this returns they are in the chat's workflow
 * history (started if it was not running). Webhooks answer after it; polling calls it too.
 */
export async function handToChat(target: ChatHandOff, chatId: string, events: ChatEvent[]): Promise<void> {
  await target.temporal.workflow.signalWithStart(conversation, {
    workflowId: chatWorkflowId(chatId),
    taskQueue: target.taskQueue,
    args: [{ chatId, idleTimeoutMs: target.idleTimeoutMs, batchSize: target.batchSize }],
    signal: chatEventsSignal,
    signalArgs: [events],
  });
}
