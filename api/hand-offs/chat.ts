import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { chatWorkflowId, type ChatEvent, type ConversationControl } from '../../domain/chat.ts';
import type { Config } from '../../platform/config.ts';
import { withinDeadline } from './deadline.ts';
import { chatEventsSignal, chatWorkflowType, type chat, type ChatEventsArgs } from '../../workflows/chat.ts';

export interface ChatHandOff {
  /**
   * The durable hand-off of a chat's events: once this returns they are in the chat's workflow
   * history (started if it was not running). Webhooks answer after it; polling calls it too.
   */
  events: (chatId: string, events: ChatEvent[]) => Promise<void>;
  /**
   * What people did around the bot only matters to a chat whose workflow runs (a bot session keeps
   * it running): delivered there, never starting one. Returns whether a chat workflow took it.
   */
  control: (chatId: string, control: ConversationControl) => Promise<boolean>;
}

type HandOffConfig = Pick<Config, 'BRIDGE_TASK_QUEUE' | 'BRIDGE_IDLE_TIMEOUT' | 'BRIDGE_BATCH_SIZE' | 'TEMPORAL_HANDOFF_DEADLINE'>;

/**
 * The chat workflows' hand-off from the configuration: the API's webhooks and the worker's polling use the same.
 * Each call has a deadline (TEMPORAL_HANDOFF_DEADLINE): with Temporal unreachable it fails at the deadline
 * (HandOffDeadlineError, or UNAVAILABLE), which the API answers 503, instead of hanging the webhook.
 */
export function chatHandOff(temporal: Client, config: HandOffConfig): ChatHandOff {
  const handOff = <T>(call: () => Promise<T>) => withinDeadline(temporal, config.TEMPORAL_HANDOFF_DEADLINE, call);
  return {
    events: async (chatId, events) => {
      await handOff(() => temporal.workflow.signalWithStart<typeof chat, ChatEventsArgs>(chatWorkflowType, {
        workflowId: chatWorkflowId(chatId),
        taskQueue: config.BRIDGE_TASK_QUEUE,
        args: [{ chatId, idleTimeoutMs: config.BRIDGE_IDLE_TIMEOUT, batchSize: config.BRIDGE_BATCH_SIZE }],
        signal: chatEventsSignal,
        signalArgs: [events],
      }));
    },

    control: async (chatId, control) => {
      try {
        await handOff(() => temporal.workflow.getHandle(chatWorkflowId(chatId)).signal(chatEventsSignal, [control]));
        return true;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}
