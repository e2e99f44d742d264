import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { chatWorkflowId, type ChatEvent, type ConversationControl } from '../domain/bridge-events.ts';
import { chatEventsSignal, conversation, type BotSettings } from '../workflows/conversation.ts';
import type { Config } from './config.ts';

export interface ChatHandOff {
  temporal: Client;
  taskQueue: string;
  idleTimeoutMs: number;
  batchSize: number;
  /** Unset: no Typebot configured, the chat is only relayed. */
  bot?: BotSettings | undefined;
}

type HandOffConfig = Pick<
  Config,
  | 'BRIDGE_TASK_QUEUE' | 'BRIDGE_IDLE_TIMEOUT' | 'BRIDGE_BATCH_SIZE' | 'TYPEBOT_URL' | 'TYPEBOT_TRIGGER_KEYWORDS'
  | 'TYPEBOT_START_ON_NEW_CONVERSATION' | 'TYPEBOT_REMINDER_AFTER' | 'TYPEBOT_SESSION_TTL'
>;

/** The hand-off from the configuration: the API's webhooks and the worker's polling use the same. */
export function chatHandOffFrom(temporal: Client, config: HandOffConfig): ChatHandOff {
  return {
    temporal,
    taskQueue: config.BRIDGE_TASK_QUEUE,
    idleTimeoutMs: config.BRIDGE_IDLE_TIMEOUT,
    batchSize: config.BRIDGE_BATCH_SIZE,
    bot: config.TYPEBOT_URL === undefined
      ? undefined
      : {
          keywords: config.TYPEBOT_TRIGGER_KEYWORDS,
          startOnNewConversation: config.TYPEBOT_START_ON_NEW_CONVERSATION,
          reminderAfterMs: config.TYPEBOT_REMINDER_AFTER,
          sessionTtlMs: config.TYPEBOT_SESSION_TTL,
        },
  };
}

/**
 * The durable hand-off of a chat's events: once this returns they are in the chat's workflow
 * history (started if it was not running). Webhooks answer after it; polling calls it too.
 */
export async function handToChat(target: ChatHandOff, chatId: string, events: ChatEvent[]): Promise<void> {
  await target.temporal.workflow.signalWithStart(conversation, {
    workflowId: chatWorkflowId(chatId),
    taskQueue: target.taskQueue,
    // The bot's settings come with every signal (below), so a running chat follows them too.
    args: [{ chatId, idleTimeoutMs: target.idleTimeoutMs, batchSize: target.batchSize }],
    signal: chatEventsSignal,
    signalArgs: [events, target.bot ?? null],
  });
}

/**
 * What people did around the bot only matters to a chat whose workflow runs (a bot session keeps
 * it running): delivered there, never starting one. Returns whether a chat workflow took it.
 */
export async function handControlToChat(target: ChatHandOff, chatId: string, control: ConversationControl): Promise<boolean> {
  try {
    await target.temporal.workflow.getHandle(chatWorkflowId(chatId)).signal(chatEventsSignal, [control]);
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
