import { chatWorkflowId, type ChatEvent } from '../../domain/bridge-events.ts';
import { chatEventsSignal, conversation } from '../../workflows/conversation.ts';
import type { AppDependencies } from '../app-dependencies.ts';

/**
 * The durable hand-off a webhook answers after: the events are in the chat's workflow history
 * (started if it was not running). Everything else happens in the workflow, after the answer.
 */
export async function handToChat(deps: Pick<AppDependencies, 'temporal' | 'config'>, chatId: string, events: ChatEvent[]): Promise<void> {
  const { config } = deps;
  await deps.temporal.workflow.signalWithStart(conversation, {
    workflowId: chatWorkflowId(chatId),
    taskQueue: config.BRIDGE_TASK_QUEUE,
    args: [{ chatId, idleTimeoutMs: config.BRIDGE_IDLE_TIMEOUT, batchSize: config.BRIDGE_BATCH_SIZE }],
    signal: chatEventsSignal,
    signalArgs: [events],
  });
}
