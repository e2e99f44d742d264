import { z } from 'zod';
import { isWhatsAppChatId, postedBySystem, whatsappIdOfSourceId, type AgentDeletion, type AgentReply, type ConversationControl } from '../../domain/chat.ts';

/** The parts of Chatwoot's `message_created` and `message_updated` webhooks (CONTRACTS.md §1.7) the bridge relies on. */
const messageEvent = z.object({
  event: z.enum(['message_created', 'message_updated']),
  id: z.number().int(),
  content: z.string().nullable().optional(),
  message_type: z.string(),
  private: z.boolean(),
  source_id: z.string().nullable().optional(),
  content_attributes: z.object({
    in_reply_to_external_id: z.string().nullable().optional(),
    deleted: z.boolean().nullable().optional(),
    external_error: z.string().nullable().optional(),
  }).loose().nullable().optional(),
  inbox: z.object({ id: z.number().int() }).loose(),
  attachments: z
    .array(z.object({ data_url: z.string(), file_type: z.string(), content_type: z.string().nullable().optional(), file_size: z.number().nullable().optional() }).loose())
    .optional(),
  conversation: z.object({ id: z.number().int(), contact_inbox: z.object({ source_id: z.string() }).loose() }).loose(),
  sender: z.object({ name: z.string().nullable().optional(), type: z.string().optional() }).loose().nullable().optional(),
}).loose();

/** The bridge creates every contact of its inbox with the chat id as `source_id`; anything else is not its chat. */
const notAChat = { forward: false, why: 'the contact is not a WhatsApp chat id' } as const;

export type ChatwootDecision =
  | { forward: true; chatId: string; message: AgentReply | ConversationControl | AgentDeletion }
  | { forward: false; why: string };

/** An agent's private note that hands the conversation back to the bot. */
export const resumeBotCommand = '/bot';
/** The label an agent adds to a conversation to hand it back to the bot. */
export const resumeBotLabel = 'retomar-bot';

const labelsIn = (value: unknown): string[] => (Array.isArray(value) ? value.filter((label): label is string => typeof label === 'string') : []);

/** Conversation events (§1.7): the conversation itself plus `event` and, on updates, `changed_attributes`. */
const conversationEvent = z.object({
  event: z.enum(['conversation_status_changed', 'conversation_updated']),
  id: z.number().int(),
  inbox_id: z.number().int(),
  status: z.string(),
  contact_inbox: z.object({ source_id: z.string() }).loose(),
  updated_at: z.union([z.number(), z.string()]).optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  changed_attributes: z.array(z.record(z.string(), z.object({ previous_value: z.unknown(), current_value: z.unknown() }).loose())).nullable().optional(),
}).loose();

/**
 * People taking over from the bot or handing back: an assignment to an agent, the conversation
 * resolved, the label `retomar-bot` added. Every other conversation event is not the bridge's business.
 */
function decideConversationEvent(body: unknown, inboxId: number): ChatwootDecision {
  const parsed = conversationEvent.safeParse(body);
  if (!parsed.success) return { forward: false, why: 'unrecognised conversation payload' };
  const conversation = parsed.data;
  if (conversation.inbox_id !== inboxId) return { forward: false, why: `inbox ${conversation.inbox_id}` };
  if (!isWhatsAppChatId(conversation.contact_inbox.source_id)) return notAChat;
  // Merged one by one: spreading a list this long into arguments would overflow the stack.
  const changes: Record<string, { previous_value: unknown; current_value: unknown } | undefined> = {};
  for (const entry of conversation.changed_attributes ?? []) Object.assign(changes, entry);
  const at = String(conversation.updated_at ?? conversation.timestamp ?? '');
  const control = (kind: ConversationControl['control'], ref: string): ChatwootDecision => ({
    forward: true,
    chatId: conversation.contact_inbox.source_id,
    message: { kind: 'control', control: kind, ref },
  });
  if (changes.status?.current_value === 'resolved') return control('resolved', `${conversation.id}:${at}`);
  const assignee = changes.assignee_id?.current_value;
  if (typeof assignee === 'number' || typeof assignee === 'string') return control('assigned', `${conversation.id}:${assignee}:${at}`);
  const labels = changes.label_list;
  if (labels !== undefined && labelsIn(labels.current_value).includes(resumeBotLabel) && !labelsIn(labels.previous_value).includes(resumeBotLabel)) {
    return control('resume-bot', `${conversation.id}:label:${at}`);
  }
  return { forward: false, why: `${conversation.event} without an assignment, a resolution or the ${resumeBotLabel} label` };
}

/** A webhook's event name. Only a string names one: anything else (an object with its own toString, say) is an event the bridge does not know. */
const eventOf = (body: unknown): string =>
  typeof body === 'object' && body !== null && 'event' in body && typeof body.event === 'string' ? body.event : 'unknown';

/** `conversation_typing_on` / `_off` (§1.7): the agent who types, the conversation, and whether it is a private note. */
const typingEvent = z.object({
  event: z.enum(['conversation_typing_on', 'conversation_typing_off']),
  is_private: z.boolean().nullish(),
  conversation: z.object({ inbox_id: z.number().int(), contact_inbox: z.object({ source_id: z.string() }).loose() }).loose(),
}).loose();

/** An agent started or stopped typing a reply (not a private note) in one of the inbox's chats; null for any other webhook. */
export function agentTyping(body: unknown, inboxId: number): { chatId: string; typing: boolean } | null {
  // Every webhook is asked first: a message's is not parsed as a typing event.
  const event = eventOf(body);
  if (event !== 'conversation_typing_on' && event !== 'conversation_typing_off') return null;
  const parsed = typingEvent.safeParse(body);
  if (!parsed.success || parsed.data.is_private === true) return null;
  const { conversation } = parsed.data;
  if (conversation.inbox_id !== inboxId || !isWhatsAppChatId(conversation.contact_inbox.source_id)) return null;
  return { chatId: conversation.contact_inbox.source_id, typing: event === 'conversation_typing_on' };
}

/**
 * Whether a Chatwoot webhook is an agent's reply to forward to WhatsApp (CONTRACTS.md §1.8):
 * only `message_created`, outgoing, not private, in our inbox, and not something the bridge posted.
 * A `message_updated` of such a message is the agent deleting it (`content_attributes.deleted`), or
 * possibly retrying it: Chatwoot's retry empties its content_attributes (the `external_error` a
 * failure left there). Such an update comes back as the reply with `retry` set to `updateRef` (the
 * caller keeps it only when WhatsApp never got the whole reply); any other (a failure recorded, a
 * translation) is nothing to do.
 */
export function decideChatwootWebhook(body: unknown, inboxId: number, updateRef = ''): ChatwootDecision {
  const event = eventOf(body);
  if (event === 'conversation_status_changed' || event === 'conversation_updated') return decideConversationEvent(body, inboxId);
  if (event !== 'message_created' && event !== 'message_updated') return { forward: false, why: `event ${event}` };
  const parsed = messageEvent.safeParse(body);
  if (!parsed.success) return { forward: false, why: `unrecognised ${event} payload` };
  const message = parsed.data;
  if (message.message_type !== 'outgoing') return { forward: false, why: `message_type ${message.message_type}` };
  if (message.inbox.id !== inboxId) return { forward: false, why: `inbox ${message.inbox.id}` };
  const chatId = message.conversation.contact_inbox.source_id;
  if (!isWhatsAppChatId(chatId)) return notAChat;
  if (message.private) {
    if (event !== 'message_created' || (message.content ?? '').trim().toLowerCase() !== resumeBotCommand) return { forward: false, why: 'private note' };
    return { forward: true, chatId, message: { kind: 'control', control: 'resume-bot', ref: String(message.id) } };
  }
  if (postedBySystem(message.source_id)) return { forward: false, why: 'posted by the bridge (echo)' };
  const attributes = message.content_attributes;
  if (event === 'message_updated') {
    if (attributes?.deleted === true) return { forward: true, chatId, message: { kind: 'agent-deletion', chatwootMessageId: message.id, conversationId: message.conversation.id } };
    if ((attributes?.external_error ?? '') !== '') return { forward: false, why: 'a failure recorded' };
    // A retry leaves nothing there; a translation, a quote or anything else kept there is some other update.
    if (Object.keys(attributes ?? {}).length > 0) return { forward: false, why: 'an update that is no retry' };
  }
  return {
    forward: true,
    chatId,
    message: {
      kind: 'outbound',
      chatwootMessageId: message.id,
      conversationId: message.conversation.id,
      text: message.content ?? null,
      attachments: (message.attachments ?? []).map((file) => ({
        dataUrl: file.data_url, fileType: file.file_type, contentType: file.content_type ?? null, fileSize: file.file_size ?? null,
      })),
      quotedWhatsappId: whatsappIdOfSourceId(attributes?.in_reply_to_external_id),
      // An agent's name (a user); a bot's or an integration's message carries none to sign with.
      agentName: message.sender?.type === 'user' ? (message.sender.name ?? '').trim() || null : null,
      ...(event === 'message_updated' ? { retry: updateRef } : {}),
    },
  };
}
