/**
 * The REST (and push) JSON of Chatwoot's jbuilder views (CONTRACTS.md §1.2-§1.6):
 * integer message_type, unix-second timestamps, `type` on senders. Webhooks use
 * another format: see webhook-format.ts.
 */
import type { AttachmentRecord, ContactRecord, ConversationRecord, MessageRecord, SimulatorState, UserRecord } from './state.ts';

const MESSAGE_TYPE_CODES = { incoming: 0, outgoing: 1, activity: 2, template: 3 } as const;

export const unix = (date: Date): number => Math.floor(date.getTime() / 1000);

export function slimInbox(state: SimulatorState): Record<string, unknown> {
  return { id: state.inbox.id, avatar_url: '', channel_id: state.inbox.channelId, name: state.inbox.name, channel_type: 'Channel::Api', provider: null };
}

export function restContact(state: SimulatorState, contact: ContactRecord, withContactInboxes = true): Record<string, unknown> {
  const json: Record<string, unknown> = {
    additional_attributes: contact.additionalAttributes,
    availability_status: 'offline',
    email: contact.email,
    id: contact.id,
    name: contact.name,
    phone_number: contact.phoneNumber,
    blocked: false,
    identifier: contact.identifier,
    thumbnail: '',
    custom_attributes: contact.customAttributes,
    last_activity_at: contact.lastActivityAt === null ? null : unix(contact.lastActivityAt),
    created_at: unix(contact.createdAt),
  };
  if (withContactInboxes) {
    json.contact_inboxes = state.contactInboxes
      .filter((link) => link.contactId === contact.id)
      .map((link) => ({ source_id: link.sourceId, inbox: slimInbox(state) }));
  }
  return json;
}

/** Contact.push_event_data: the sender of incoming messages in REST, `meta.sender` in conversations. */
export function contactPush(contact: ContactRecord): Record<string, unknown> {
  const { additionalAttributes, customAttributes, email, id, identifier, name, phoneNumber } = contact;
  return {
    additional_attributes: additionalAttributes, custom_attributes: customAttributes, email, id, identifier, name,
    phone_number: phoneNumber, thumbnail: '', blocked: false, type: 'contact',
  };
}

export function attachmentJson(state: SimulatorState, attachment: AttachmentRecord): Record<string, unknown> {
  const dataUrl = `${state.publicUrl}/rails/active_storage/blobs/redirect/${attachment.signedId}/${encodeURIComponent(attachment.filename)}`;
  return {
    id: attachment.id,
    message_id: attachment.messageId,
    file_type: attachment.fileType,
    account_id: state.account.id,
    extension: null,
    content_type: attachment.contentType,
    data_url: dataUrl,
    thumb_url: attachment.fileType === 'image' ? dataUrl : '',
    file_size: attachment.bytes.length,
    width: null,
    height: null,
  };
}

/** User#push_event_data: an agent as a message sender and as `meta.assignee` in conversation webhooks. */
export function userPush(user: { id: number; name: string }): Record<string, unknown> {
  return { id: user.id, name: user.name, available_name: user.name, avatar_url: '', type: 'user', availability_status: 'online', thumbnail: '' };
}

/** The api/v1/models/_agent partial (community edition): the assignments answer and REST `meta.assignee`. */
export function agentJson(state: SimulatorState, user: UserRecord): Record<string, unknown> {
  return {
    id: user.id, account_id: state.account.id, availability_status: 'online', auto_offline: true, confirmed: true, email: user.email,
    provider: 'email', available_name: user.name, name: user.name, role: user.role, thumbnail: '',
  };
}

export function assigneeOf(state: SimulatorState, conversation: ConversationRecord): UserRecord | undefined {
  return conversation.assigneeId === null ? undefined : state.users.find((user) => user.id === conversation.assigneeId);
}

function senderPush(state: SimulatorState, message: MessageRecord): Record<string, unknown> | undefined {
  const { sender } = message;
  if (sender === null) return undefined;
  if (sender.type === 'user') return userPush(sender);
  const contact = state.contacts.find((candidate) => candidate.id === sender.id);
  return contact === undefined ? undefined : contactPush(contact);
}

/** The message as the messages endpoints answer it. */
export function restMessage(state: SimulatorState, message: MessageRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: message.id,
    content: message.content,
    account_id: state.account.id,
    inbox_id: state.inbox.id,
    conversation_id: message.conversationId,
    message_type: MESSAGE_TYPE_CODES[message.messageType],
    content_type: message.contentType,
    status: message.status,
    content_attributes: message.contentAttributes,
    created_at: unix(message.createdAt),
    private: message.private,
    source_id: message.sourceId,
    sender_type: message.sender === null ? null : message.sender.type === 'user' ? 'User' : 'Contact',
    sender_id: message.sender?.id ?? null,
  };
  const sender = senderPush(state, message);
  if (sender !== undefined) json.sender = sender;
  if (message.attachments.length > 0) json.attachments = message.attachments.map((file) => attachmentJson(state, file));
  return json;
}

/** Message.push_event_data: REST plus a slim conversation (how a conversation's `messages[]` shows it). */
export function pushMessage(state: SimulatorState, message: MessageRecord): Record<string, unknown> {
  const conversation = state.conversations.find((candidate) => candidate.id === message.conversationId);
  const link = state.contactInboxes.find((candidate) => candidate.id === conversation?.contactInboxId);
  return {
    ...restMessage(state, message),
    conversation: {
      id: message.conversationId,
      assignee_id: conversation?.assigneeId ?? null,
      unread_count: conversation === undefined ? 0 : unreadCount(state, conversation),
      last_activity_at: conversation === undefined ? null : unix(conversation.lastActivityAt),
      contact_inbox: link === undefined ? {} : { source_id: link.sourceId },
    },
  };
}

export function conversationMessages(state: SimulatorState, conversationId: number): MessageRecord[] {
  return state.messages.filter((message) => message.conversationId === conversationId);
}

export function unreadCount(state: SimulatorState, conversation: ConversationRecord): number {
  return conversationMessages(state, conversation.id).filter((message) => message.messageType === 'incoming').length;
}

/** The conversation partial (REST): no contact_inbox; the last message carries its source_id. */
export function restConversation(state: SimulatorState, conversation: ConversationRecord): Record<string, unknown> {
  const contact = state.contacts.find((candidate) => candidate.id === conversation.contactId);
  const messages = conversationMessages(state, conversation.id);
  const last = messages.at(-1);
  const lastNonActivity = messages.filter((message) => message.messageType !== 'activity').at(-1);
  const assignee = assigneeOf(state, conversation);
  return {
    meta: {
      sender: contact === undefined ? {} : restContact(state, contact, false),
      channel: 'Channel::Api',
      ...(assignee === undefined ? {} : { assignee: agentJson(state, assignee), assignee_type: 'User' }),
      hmac_verified: false,
    },
    id: conversation.id,
    messages: last === undefined ? [] : [pushMessage(state, last)],
    account_id: state.account.id,
    uuid: conversation.uuid,
    additional_attributes: conversation.additionalAttributes,
    agent_last_seen_at: 0,
    assignee_last_seen_at: 0,
    can_reply: true,
    contact_last_seen_at: 0,
    custom_attributes: conversation.customAttributes,
    inbox_id: conversation.inboxId,
    labels: conversation.labels,
    muted: false,
    snoozed_until: null,
    status: conversation.status,
    created_at: unix(conversation.createdAt),
    updated_at: conversation.updatedAt.getTime() / 1000,
    timestamp: unix(conversation.lastActivityAt),
    first_reply_created_at: 0,
    unread_count: unreadCount(state, conversation),
    last_non_activity_message: lastNonActivity === undefined ? null : pushMessage(state, lastNonActivity),
    last_activity_at: unix(conversation.lastActivityAt),
    priority: null,
    waiting_since: 0,
  };
}
