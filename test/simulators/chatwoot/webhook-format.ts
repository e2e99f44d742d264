/**
 * Webhook bodies (CONTRACTS.md §1.6, §1.7): string message_type, ISO created_at, the
 * conversation embedded with its contact_inbox, senders without REST's `type` for
 * contacts, and Rails' JSON encoding (<, > and & escaped inside strings).
 */
import { assigneeOf, contactPush, conversationMessages, pushMessage, restMessage, unix, unreadCount, userPush } from './rest-format.ts';
import type { ContactRecord, ConversationRecord, MessageRecord, SimulatorState } from './state.ts';

export type ChangedAttributes = Array<Record<string, { previous_value: unknown; current_value: unknown }>>;

/** ActiveSupport's JSON escaping: what the signature covers, byte for byte. */
export function railsJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function account(state: SimulatorState): { id: number; name: string } {
  return { id: state.account.id, name: state.account.name };
}

function contactWebhook(state: SimulatorState, contact: ContactRecord): Record<string, unknown> {
  const { additionalAttributes, customAttributes, email, id, identifier, name, phoneNumber } = contact;
  return {
    account: account(state), additional_attributes: additionalAttributes, avatar: '', custom_attributes: customAttributes,
    email, id, identifier, name, phone_number: phoneNumber, thumbnail: '', blocked: false,
  };
}

/** Conversation#webhook_data: the payload of conversation events and `conversation` in message events. */
export function conversationWebhook(state: SimulatorState, conversation: ConversationRecord): Record<string, unknown> {
  const contact = state.contacts.find((candidate) => candidate.id === conversation.contactId);
  const link = state.contactInboxes.find((candidate) => candidate.id === conversation.contactInboxId);
  const last = conversationMessages(state, conversation.id).at(-1);
  const assignee = assigneeOf(state, conversation);
  return {
    additional_attributes: conversation.additionalAttributes,
    can_reply: true,
    channel: 'Channel::Api',
    contact_inbox:
      link === undefined
        ? null
        : {
            id: link.id, contact_id: link.contactId, inbox_id: link.inboxId, source_id: link.sourceId,
            created_at: link.createdAt.toISOString(), updated_at: link.createdAt.toISOString(),
            hmac_verified: false, pubsub_token: link.pubsubToken,
          },
    id: conversation.id,
    inbox_id: conversation.inboxId,
    messages: last === undefined ? [] : [pushMessage(state, last)],
    labels: conversation.labels,
    meta: {
      sender: contact === undefined ? {} : contactPush(contact),
      assignee: assignee === undefined ? null : userPush(assignee),
      assignee_type: assignee === undefined ? null : 'User',
      team: null,
      hmac_verified: false,
    },
    status: conversation.status,
    custom_attributes: conversation.customAttributes,
    snoozed_until: null,
    unread_count: unreadCount(state, conversation),
    first_reply_created_at: null,
    priority: null,
    waiting_since: 0,
    agent_last_seen_at: 0,
    contact_last_seen_at: 0,
    last_activity_at: unix(conversation.lastActivityAt),
    timestamp: unix(conversation.lastActivityAt),
    created_at: unix(conversation.createdAt),
    updated_at: conversation.updatedAt.getTime() / 1000,
    account: account(state),
  };
}

export function conversationEvent(
  state: SimulatorState,
  event: 'conversation_created' | 'conversation_status_changed' | 'conversation_updated',
  conversation: ConversationRecord,
  changedAttributes?: ChangedAttributes,
): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...conversationWebhook(state, conversation), event };
  if (changedAttributes !== undefined) payload.changed_attributes = changedAttributes;
  return payload;
}

export function messageEvent(state: SimulatorState, event: 'message_created' | 'message_updated', message: MessageRecord): Record<string, unknown> {
  const conversation = state.conversations.find((candidate) => candidate.id === message.conversationId);
  const { sender } = message;
  let senderJson: Record<string, unknown> | null = null;
  if (sender?.type === 'user') senderJson = { id: sender.id, name: sender.name, email: sender.email, type: 'user' };
  if (sender?.type === 'contact') {
    const contact = state.contacts.find((candidate) => candidate.id === sender.id);
    senderJson = contact === undefined ? null : contactWebhook(state, contact);
  }
  const payload: Record<string, unknown> = {
    event,
    id: message.id,
    content: message.content,
    content_type: message.contentType,
    content_attributes: message.contentAttributes,
    additional_attributes: {},
    message_type: message.messageType,
    private: message.private,
    source_id: message.sourceId,
    created_at: message.createdAt.toISOString(),
    sender: senderJson,
    inbox: { id: state.inbox.id, name: state.inbox.name },
    account: account(state),
    conversation: conversation === undefined ? null : conversationWebhook(state, conversation),
  };
  const attachments = restMessage(state, message).attachments;
  if (attachments !== undefined) payload.attachments = attachments;
  return payload;
}

/** `conversation_typing_on` / `_off`: the user who types (webhook shape), the conversation, and whether it is a private note. */
export function typingEvent(state: SimulatorState, on: boolean, conversation: ConversationRecord, user: { id: number; name: string; email: string }, isPrivate: boolean): Record<string, unknown> {
  return {
    event: on ? 'conversation_typing_on' : 'conversation_typing_off',
    user: { id: user.id, name: user.name, email: user.email, type: 'user' },
    conversation: conversationWebhook(state, conversation),
    is_private: isPrivate,
  };
}
