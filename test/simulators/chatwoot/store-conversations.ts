/**
 * Conversations and messages as Chatwoot's models behave (CONTRACTS.md §1.4, §1.5):
 * status changes fire conversation_status_changed (+ conversation_updated) and leave an
 * activity line (never sent to webhooks); an incoming message reopens a resolved or
 * snoozed conversation (API inbox without a bot: to open) before its own message_created;
 * a status update read → delivered is ignored, and only a real change fires message_updated.
 */
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './store-contacts.ts';
import type {
  AttachmentRecord, ContactInboxRecord, ConversationRecord, ConversationStatus, MessageRecord, MessageStatus, MessageType, Sender, UserRecord,
} from './state.ts';
import type { ChangedAttributes } from './webhook-format.ts';
import { conversationEvent, messageEvent } from './webhook-format.ts';

export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface NewMessage {
  messageType: MessageType;
  content: string | null;
  private: boolean;
  sourceId: string | null;
  contentAttributes: Record<string, unknown>;
  sender: Sender | null;
  files: UploadedFile[];
  isVoiceMessage: boolean;
}

export function createConversation(ctx: StoreContext, link: ContactInboxRecord, status: ConversationStatus): ConversationRecord {
  const now = new Date();
  const conversation: ConversationRecord = {
    id: ctx.state.nextId.conversation++, uuid: randomUUID(), contactId: link.contactId, contactInboxId: link.id, inboxId: link.inboxId,
    status, createdAt: now, updatedAt: now, lastActivityAt: now, customAttributes: {}, additionalAttributes: {},
    labels: [], cachedLabelList: null, assigneeId: null,
  };
  ctx.state.conversations.push(conversation);
  ctx.emit(conversationEvent(ctx.state, 'conversation_created', conversation));
  return conversation;
}

/** `actor` null: the system (reopen on an incoming message). */
export function changeStatus(ctx: StoreContext, conversation: ConversationRecord, status: ConversationStatus, actor: string | null): void {
  const previous = conversation.status;
  if (previous === status) return;
  conversation.status = status;
  const touched = touch(conversation);
  const changed = [{ status: { previous_value: previous, current_value: status } }];
  // conversation_status_changed carries previous_changes.slice('status'); conversation_updated all of them.
  ctx.emit(conversationEvent(ctx.state, 'conversation_status_changed', conversation, changed));
  ctx.emit(conversationEvent(ctx.state, 'conversation_updated', conversation, [...changed, touched]));
  const line =
    actor === null ? 'System reopened the conversation due to a new incoming message.'
    : status === 'open' ? `Conversation was reopened by ${actor}`
    : `Conversation was marked ${status} by ${actor}`;
  insertActivity(ctx, conversation, line);
}

/** A save that changed a column bumps updated_at, which previous_changes (so changed_attributes) lists as ISO times. */
export function touch(conversation: ConversationRecord): ChangedAttributes[number] {
  const previous = conversation.updatedAt;
  conversation.updatedAt = new Date();
  return { updated_at: { previous_value: previous.toISOString(), current_value: conversation.updatedAt.toISOString() } };
}

/** An agent or administrator as the sender of a message. */
export function userSender(user: UserRecord): Sender {
  return { type: 'user', id: user.id, name: user.name, email: user.email };
}

/** An activity line: stored and listed, never sent to webhooks. */
export function insertActivity(ctx: StoreContext, conversation: ConversationRecord, content: string): void {
  insertMessage(ctx, conversation, {
    messageType: 'activity', content, private: false, sourceId: null, contentAttributes: {}, sender: null, files: [], isVoiceMessage: false,
  });
}

function fileType(contentType: string): AttachmentRecord['fileType'] {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType.includes('audio/')) return 'audio';
  return 'file';
}

function insertMessage(ctx: StoreContext, conversation: ConversationRecord, input: NewMessage): MessageRecord {
  const { state } = ctx;
  const now = new Date();
  const id = state.nextId.message++;
  const attachments = input.files.map((file): AttachmentRecord => ({
    id: state.nextId.attachment++, messageId: id, fileType: fileType(file.contentType), contentType: file.contentType,
    filename: file.filename, bytes: file.bytes, signedId: `${randomUUID().replaceAll('-', '')}--sim`, key: randomUUID().replaceAll('-', ''),
  }));
  const message: MessageRecord = {
    id, conversationId: conversation.id, messageType: input.messageType, content: input.content, private: input.private,
    sourceId: input.sourceId, contentType: 'text', contentAttributes: input.contentAttributes, status: 'sent', externalError: null,
    isVoiceMessage: input.isVoiceMessage, sender: input.sender, attachments, createdAt: now, updatedAt: now,
  };
  state.messages.push(message);
  if (input.messageType !== 'activity') conversation.lastActivityAt = now;
  return message;
}

/** Message create: in_reply_to resolved from in_reply_to_external_id, reopen, then message_created. */
export function createMessage(ctx: StoreContext, conversation: ConversationRecord, input: NewMessage): MessageRecord {
  const attributes = { ...input.contentAttributes };
  const externalId = attributes.in_reply_to_external_id;
  if (typeof externalId === 'string' && externalId !== '' && attributes.in_reply_to === undefined) {
    const quoted = ctx.state.messages.find((m) => m.conversationId === conversation.id && m.sourceId === externalId);
    attributes.in_reply_to = quoted?.id ?? null;
  }
  const message = insertMessage(ctx, conversation, { ...input, contentAttributes: attributes });
  ctx.onMessageCreated?.(message);
  if (message.messageType === 'incoming') {
    const contact = ctx.state.contacts.find((candidate) => candidate.id === conversation.contactId);
    if (contact !== undefined) contact.lastActivityAt = message.createdAt;
    if (conversation.status === 'resolved' || conversation.status === 'snoozed') changeStatus(ctx, conversation, 'open', null);
  }
  ctx.emit(messageEvent(ctx.state, 'message_created', message));
  return message;
}

/** Messages::StatusUpdateService. */
export function updateMessageStatus(ctx: StoreContext, message: MessageRecord, status: unknown, externalError: unknown): void {
  if (!['sent', 'delivered', 'read', 'failed'].includes(String(status))) return;
  const next = status as MessageStatus;
  if (message.status === 'read' && next === 'delivered') return;
  const error = next === 'failed' && typeof externalError === 'string' ? externalError : message.externalError;
  if (message.status === next && message.externalError === error) return;
  message.status = next;
  message.externalError = error;
  // Message's `external_error` is one of its content_attributes accessors.
  if (error !== null) message.contentAttributes = { ...message.contentAttributes, external_error: error };
  message.updatedAt = new Date();
  ctx.emit(messageEvent(ctx.state, 'message_updated', message));
}

/** MessagesController#destroy: the message stays, its content replaced and marked deleted, its files gone; then message_updated. */
export function deleteMessage(ctx: StoreContext, message: MessageRecord): void {
  message.content = 'This message was deleted';
  message.contentType = 'text';
  message.contentAttributes = { deleted: true };
  message.attachments = [];
  message.updatedAt = new Date();
  ctx.emit(messageEvent(ctx.state, 'message_updated', message));
}

/**
 * MessagesController#retry (the agent's retry of a failed message): StatusUpdateService to 'sent'
 * (message_updated when it changes), then content_attributes emptied (message_updated again), then
 * SendReplyJob, which sends nothing for an API inbox: the bridge learns of the retry by the webhooks.
 */
export function retryMessage(ctx: StoreContext, message: MessageRecord): void {
  updateMessageStatus(ctx, message, 'sent', undefined);
  message.externalError = null;
  message.contentAttributes = {};
  message.updatedAt = new Date();
  ctx.emit(messageEvent(ctx.state, 'message_updated', message));
}
