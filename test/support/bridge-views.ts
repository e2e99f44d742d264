import { randomInt } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { chatWorkflowId } from '../../domain/chat.ts';
import { waitingHandOffs } from '../../platform/stores/chat-handoffs.ts';
import { chatStateQuery, type ChatState } from '../../workflows/chat.ts';
import type { MessageRecord } from '../simulators/chatwoot/index.ts';
import { eventually } from './eventually.ts';
import type { TestSystem } from './test-system.ts';

/** Portuguese mobile prefixes (91, 92, 93, 96): numbers the intake's phone check takes. */
const mobilePrefixes = ['91', '92', '93', '96'] as const;

/** A valid Portuguese mobile, as WhatsApp digits (351 + 9 digits, e.g. 351912345678), different on every call. */
export const newDriverPhone = () => `351${mobilePrefixes[randomInt(mobilePrefixes.length)]!}${String(randomInt(1_000_000, 10_000_000))}`;

/** WhatsApp digits (a driver's phone) or a whole chat id (…@c.us, …@lid, …@g.us), as the chat's id. */
const chatIdOf = (phoneOrChatId: string) => (phoneOrChatId.includes('@') ? phoneOrChatId : `${phoneOrChatId}@c.us`);

/** What the Chatwoot simulator holds for a driver's phone, as the bridge tests look at it. */
export function chatwootView(sut: TestSystem) {
  const chatwoot = sut.chatwoot!;
  const contactsOf = (phone: string) => chatwoot.contacts().filter((contact) => contact.phoneNumber === `+${phone}`);
  const conversationsOf = (phone: string) => {
    const [contact] = contactsOf(phone);
    return contact === undefined ? [] : chatwoot.conversations().filter((conversation) => conversation.contactId === contact.id);
  };
  const incoming = (phone: string) =>
    conversationsOf(phone).flatMap((conversation) => chatwoot.messages(conversation.id).filter((message) => message.messageType === 'incoming'));
  return {
    contactsOf,
    conversationsOf,
    conversationIdOf: (phone: string) => conversationsOf(phone)[0]!.id,
    incoming,
    incomingTexts: (phone: string) => incoming(phone).map((message) => message.content),
  };
}

/** Waits until the driver's message with this text is in their Chatwoot conversation, as incoming; returns it (the latest such). */
export async function waitForIncoming(sut: TestSystem, phone: string, text: string, timeoutMs = 15_000): Promise<MessageRecord> {
  const view = chatwootView(sut);
  return eventually(async () => view.incoming(phone).filter((message) => message.content === text).at(-1), timeoutMs, `"${text}" in Chatwoot`);
}

/** The chat's workflow state (its latest run, as the state query answers it); null when it never ran. */
export async function chatState(sut: TestSystem, phoneOrChatId: string): Promise<ChatState | null> {
  try {
    return await sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatIdOf(phoneOrChatId))).query(chatStateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/**
 * Waits until the chat's workflow has handled every event handed to it so far: nothing queued, no
 * batch being relayed, none of the bot's steps for it running. The simulators POST their webhooks
 * without waiting (as the real systems do), so it first waits for every webhook they have fired to
 * be answered, i.e. handed off: Temporal answers a query with every signal in the history, so at
 * rest then means the events were handled, and what they made the bridge send has been sent.
 * Delivery acks may make the chat busy again afterwards. A failed query (no worker polls for a
 * moment, the run is changing) is asked again until the time is up.
 */
export async function chatAtRest(sut: TestSystem, phoneOrChatId: string, what = 'the chat to handle its events', timeoutMs = 30_000): Promise<ChatState> {
  await webhooksAnswered(sut);
  let last = 'no answer';
  try {
    return await eventually(async () => {
      try {
        const state = await chatState(sut, phoneOrChatId);
        last = JSON.stringify(state === null ? null : { queued: state.queued, handled: state.handled, busy: state.busy });
        return state !== null && state.queued === 0 && !state.busy ? state : undefined;
      } catch (error) {
        last = String(error);
        return undefined;
      }
    }, timeoutMs, what);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the chat's state query last said: ${last}`);
  }
}

/** Every webhook the simulators fired so far has been answered (or failed): what they sent has been handed off. */
export async function webhooksAnswered(sut: TestSystem): Promise<void> {
  await Promise.all([sut.wpp.settled(), sut.chatwoot?.webhooksIdle()]);
  // Chatwoot's are answered once kept: they are handed to their chat's workflow just after (api/hand-offs/agent-inbox.ts).
  await eventually(async () => ((await waitingHandOffs(sut.system.db, sut.config.BRIDGE_TASK_QUEUE)).count === 0 ? true : undefined), 30_000, 'agents\' events handed to their chats');
}

/** Whether a chat workflow (any run) exists for this chat: a message the bridge ignores must not start one. */
export async function chatWorkflowExists(sut: TestSystem, phoneOrChatId: string): Promise<boolean> {
  try {
    await sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatIdOf(phoneOrChatId))).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * Waits until the chat's relay has failed against an outage and is waiting it out: the quick attempts
 * inside the workflow task failed and the durable relay activity failed at least once too.
 */
export async function relayWaitingOutOutage(sut: TestSystem, phoneOrChatId: string, timeoutMs = 30_000): Promise<void> {
  const handle = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatIdOf(phoneOrChatId)));
  await eventually(async () => {
    const { raw } = await handle.describe();
    const relays = (raw.pendingActivities ?? []).filter((activity) => activity.activityType?.name === 'handleChatEvents');
    return relays.some((activity) => (activity.attempt ?? 0) >= 2 && activity.lastFailure != null) ? true : undefined;
  }, timeoutMs, 'the relay to fail against the outage and retry');
}
