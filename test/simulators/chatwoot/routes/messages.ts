/**
 * Messages (Api::V1::Accounts::Conversations::MessagesController), CONTRACTS.md §1.5:
 * create from JSON or multipart (`attachments[]`), list with before/after as MessageFinder
 * does, delete (the message kept, marked deleted), and the API-inbox status PATCH (code-only, not in the spec).
 */
import type { FastifyInstance } from 'fastify';
import type { PreHandler } from '../auth.ts';
import { MultipartBody } from '../multipart.ts';
import { CouldNotCreate, RecordNotFound } from '../rails-errors.ts';
import { agentJson, assigneeOf, conversationMessages, restContact, restMessage } from '../rest-format.ts';
import type { StoreContext } from '../store-contacts.ts';
import { requireConversation } from '../store-contacts.ts';
import type { NewMessage, UploadedFile } from '../store-conversations.ts';
import { createMessage, deleteMessage, updateMessageStatus, userSender } from '../store-conversations.ts';
import type { ConversationRecord, MessageRecord, MessageType, SimulatorState } from '../state.ts';

type Params = { account_id: string; conversation_id: string; message_id: string };
const MESSAGE_TYPES: readonly MessageType[] = ['incoming', 'outgoing', 'activity', 'template'];

const truthy = (value: unknown): boolean => value === true || value === 'true' || value === '1' || value === 1;
const text = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);

function contentAttributes(fields: Record<string, unknown>): Record<string, unknown> {
  const raw = fields.content_attributes;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return { ...(raw as Record<string, unknown>) };
  const nested = Object.entries(fields).filter(([key]) => /^content_attributes\[\w+\]$/.test(key));
  if (nested.length > 0) return Object.fromEntries(nested.map(([key, value]) => [key.slice(19, -1), value]));
  if (typeof raw !== 'string') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Messages::MessageBuilder's reading of params. */
function newMessage(state: SimulatorState, conversation: ConversationRecord, body: unknown): NewMessage {
  const multipart = body instanceof MultipartBody ? body : undefined;
  const fields: Record<string, unknown> = multipart?.fields ?? (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {});
  const files: UploadedFile[] = multipart?.files['attachments[]'] ?? multipart?.files.attachments ?? [];
  const messageType = text(fields.message_type) || 'outgoing';
  if (!MESSAGE_TYPES.includes(messageType as MessageType)) throw new CouldNotCreate(`'${messageType}' is not a valid message_type`);
  if (files.length > 15) throw new CouldNotCreate('Validation failed: Attachments exceeded maximum allowed');
  const incoming = messageType === 'incoming';
  return {
    messageType: messageType as MessageType,
    content: text(fields.content),
    private: truthy(fields.private),
    sourceId: text(fields.source_id),
    contentAttributes: contentAttributes(fields),
    sender: incoming ? { type: 'contact', id: conversation.contactId } : userSender(state.tokenUser),
    files,
    isVoiceMessage: truthy(fields.is_voice_message),
  };
}

/** MessageFinder: always oldest first. */
function page(messages: MessageRecord[], after: number | undefined, before: number | undefined): MessageRecord[] {
  if (after !== undefined && before !== undefined) return messages.filter((m) => m.id >= after && m.id < before).slice(0, 1000);
  if (before !== undefined) return messages.filter((m) => m.id < before).slice(-20);
  if (after !== undefined) return messages.filter((m) => m.id > after).slice(0, 100);
  return messages.slice(-20);
}

export function messageRoutes(app: FastifyInstance, ctx: StoreContext, preHandler: PreHandler): void {
  const { state } = ctx;
  const base = '/api/v1/accounts/:account_id/conversations/:conversation_id/messages';

  app.post<{ Params: Params }>(base, { preHandler }, (request) => {
    const conversation = requireConversation(state, request.params.conversation_id);
    const message = createMessage(ctx, conversation, newMessage(state, conversation, request.body));
    const echoId = (request.body as { echo_id?: unknown } | undefined)?.echo_id;
    return echoId === undefined ? restMessage(state, message) : { ...restMessage(state, message), echo_id: echoId };
  });

  app.get<{ Params: Params; Querystring: { before?: string; after?: string } }>(base, { preHandler }, (request) => {
    const conversation = requireConversation(state, request.params.conversation_id);
    const id = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number.parseInt(value, 10));
    const messages = page(conversationMessages(state, conversation.id), id(request.query.after), id(request.query.before));
    const contact = state.contacts.find((candidate) => candidate.id === conversation.contactId);
    const assignee = assigneeOf(state, conversation);
    return {
      meta: {
        labels: conversation.labels,
        additional_attributes: conversation.additionalAttributes,
        contact: contact === undefined ? null : restContact(state, contact, false),
        ...(assignee === undefined ? {} : { assignee: agentJson(state, assignee) }),
        agent_last_seen_at: null,
        assignee_last_seen_at: null,
      },
      payload: messages.map((message) => restMessage(state, message)),
    };
  });

  // DELETE (in the spec): the message is kept, marked deleted; answers it in the REST format.
  app.delete<{ Params: Params }>(`${base}/:message_id`, { preHandler }, (request) => {
    const conversation = requireConversation(state, request.params.conversation_id);
    const message = conversationMessages(state, conversation.id).find((m) => String(m.id) === request.params.message_id);
    if (message === undefined) throw new RecordNotFound();
    deleteMessage(ctx, message);
    return restMessage(state, message);
  });

  app.patch<{ Params: Params; Body: { status?: unknown; external_error?: unknown } | undefined }>(
    `${base}/:message_id`,
    { preHandler },
    (request) => {
      const conversation = requireConversation(state, request.params.conversation_id);
      const message = conversationMessages(state, conversation.id).find((m) => String(m.id) === request.params.message_id);
      if (message === undefined) throw new RecordNotFound();
      updateMessageStatus(ctx, message, request.body?.status, request.body?.external_error);
      return restMessage(state, message);
    },
  );
}
