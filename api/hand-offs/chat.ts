import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ChatQueueFullError, chatWorkflowId, type BlindIndex, type ChatEvent, type ConversationControl } from '../../domain/chat.ts';
import type { Config } from '../../platform/config.ts';
import { withinDeadline } from './deadline.ts';
import { chatEventsSignal, chatWorkflowType, type chat, type ChatEventsArgs } from '../../workflows/chat.ts';
import { ChatQueueFullAttribute } from '../../workflows/search-attributes.ts';

export interface ChatHandOff {
  /**
   * The durable hand-off of a chat's events: once this returns they are in the chat's workflow
   * history (started if it was not running). Webhooks answer after it; polling calls it too.
   * A driver's messages for a chat whose queue is full are refused with `ChatQueueFullError`
   * (nothing handed off): polling fetches them from WhatsApp once it has drained. Agents' replies
   * and receipts always go in (Chatwoot does not redeliver; both come at a person's pace).
   */
  events: (chatId: string, events: ChatEvent[]) => Promise<void>;
  /**
   * What people did around the bot only matters to a chat whose workflow runs (a bot session keeps
   * it running): delivered there, never starting one. Returns whether a chat workflow took it.
   */
  control: (chatId: string, control: ConversationControl) => Promise<boolean>;
  /** Whether the chat's queue was full at the last look: its driver's messages would be refused. */
  full: (chatId: string) => boolean;
}

/** The chats whose queue is full, as of the last look. */
export interface FullChats {
  has(chatId: string): boolean;
  /** Stops looking; resolves once a look in progress has ended (before the connection closes). */
  stop(): Promise<void>;
}

/**
 * Keeps the set of full chats by one visibility query every `everyMs` (never a call per
 * webhook). A failed look keeps the last set: while Temporal is unreachable the hand-off fails anyway.
 */
export function watchFullChats(temporal: Client, keys: BlindIndex, everyMs = 1_000): FullChats {
  let full = new Set<string>();
  let looking: Promise<void> | undefined;
  const look = () => {
    looking ??= lookOnce().finally(() => {
      looking = undefined;
    });
  };
  const lookOnce = async () => {
    try {
      const found = new Set<string>();
      const query = `${ChatQueueFullAttribute.name} = true AND ExecutionStatus = "Running" AND WorkflowType = "${chatWorkflowType}"`;
      // A deadline, so an unreachable Temporal costs a skipped look, not a call retrying past `stop`.
      await temporal.connection.withDeadline(Date.now() + 5 * everyMs, async () => {
        for await (const execution of temporal.workflow.list({ query })) found.add(execution.workflowId);
      });
      full = found;
    } catch {
      // the last set stands
    }
  };
  look();
  const timer = setInterval(look, everyMs);
  timer.unref();
  return {
    has: (chatId) => full.has(chatWorkflowId(keys, chatId)),
    stop: async () => {
      clearInterval(timer);
      await looking;
    },
  };
}

/** A chat's workflow as an operator finds it from a phone (`npm run find-chat`, `POST /chats/find`): its id and status, or null if it never ran. */
export async function findChatWorkflow(temporal: Client, keys: BlindIndex, chatId: string): Promise<{ workflowId: string; status: string } | null> {
  const workflowId = chatWorkflowId(keys, chatId);
  try {
    return { workflowId, status: (await temporal.workflow.getHandle(workflowId).describe()).status.name };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

type HandOffConfig = Pick<Config, 'BRIDGE_TASK_QUEUE' | 'BRIDGE_IDLE_TIMEOUT' | 'BRIDGE_BATCH_SIZE' | 'BRIDGE_QUEUE_MAX' | 'BRIDGE_REPLY_ORDER_WINDOW' | 'BRIDGE_INBOUND_ORDER_WINDOW' | 'TEMPORAL_HANDOFF_DEADLINE'>;

/**
 * The chat workflows' hand-off from the configuration: the API's webhooks and the worker's polling use the same.
 * Each call has a deadline (TEMPORAL_HANDOFF_DEADLINE): with Temporal unreachable it fails at the deadline
 * (HandOffDeadlineError, or UNAVAILABLE), which the API answers 503, instead of hanging the webhook.
 */
export function chatHandOff(temporal: Client, keys: BlindIndex, config: HandOffConfig, fullChats?: FullChats): ChatHandOff {
  const handOff = <T>(call: () => Promise<T>) => withinDeadline(temporal, config.TEMPORAL_HANDOFF_DEADLINE, call);
  return {
    full: (chatId) => fullChats?.has(chatId) === true,

    events: async (chatId, given) => {
      if (fullChats?.has(chatId) === true && given.some((event) => event.kind === 'inbound')) throw new ChatQueueFullError(30);
      // When the bridge got each message: the chat's workflow holds back one delivered late (see ChatInput.inboundOrderWindowMs),
      // and the relay's latency is measured from it.
      const receivedAt = Date.now();
      const events = given.map((event) => (event.kind === 'inbound' || event.kind === 'outbound' ? { ...event, receivedAt: event.receivedAt ?? receivedAt } : event));
      await handOff(() => temporal.workflow.signalWithStart<typeof chat, ChatEventsArgs>(chatWorkflowType, {
        workflowId: chatWorkflowId(keys, chatId),
        taskQueue: config.BRIDGE_TASK_QUEUE,
        args: [{ chatId, idleTimeoutMs: config.BRIDGE_IDLE_TIMEOUT, batchSize: config.BRIDGE_BATCH_SIZE, queueMax: config.BRIDGE_QUEUE_MAX,
          replyOrderWindowMs: config.BRIDGE_REPLY_ORDER_WINDOW, inboundOrderWindowMs: config.BRIDGE_INBOUND_ORDER_WINDOW }],
        signal: chatEventsSignal,
        signalArgs: [events],
      }));
    },

    control: async (chatId, control) => {
      try {
        await handOff(() => temporal.workflow.getHandle(chatWorkflowId(keys, chatId)).signal(chatEventsSignal, [control]));
        return true;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}
