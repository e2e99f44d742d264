/**
 * Shapes of the Chatwoot REST answers the client relies on (CONTRACTS.md §1.2-§1.6), and
 * their mapping to the client's types. Lenient about what we do not use, strict about what we do.
 * REST is not the webhook format: `message_type` is an integer here, `created_at` unix seconds.
 */
import { z } from 'zod';
import type { ChatwootContact, ChatwootConversation, ChatwootMessage } from './types.ts';

const id = z.number().int().positive();

const contactInbox = z.looseObject({ source_id: z.string(), inbox: z.looseObject({ id }) });

const contact = z.looseObject({
  id,
  name: z.string().nullish(),
  phone_number: z.string().nullish(),
  identifier: z.string().nullish(),
  custom_attributes: z.record(z.string(), z.unknown()).nullish(),
  contact_inboxes: z.array(contactInbox).optional(),
});
type RestContact = z.infer<typeof contact>;

export const contactCreated = z.object({ payload: z.looseObject({ contact }) });
/** Show and update answer `{payload: <contact>}`. */
export const contactShown = z.object({ payload: contact });
export const contactList = z.looseObject({ payload: z.array(contact) });
export const contactInboxCreated = z.looseObject({ source_id: z.string() });

const conversationStatus = z.enum(['open', 'pending', 'resolved', 'snoozed']);

/** The REST conversation has no contact_inbox; its last message (push format) carries the source_id. */
const conversation = z.looseObject({
  id,
  status: conversationStatus,
  inbox_id: id,
  last_activity_at: z.number().optional(),
  messages: z
    .array(z.looseObject({ conversation: z.looseObject({ contact_inbox: z.looseObject({ source_id: z.string().nullish() }).optional() }).optional() }))
    .optional(),
});
type RestConversation = z.infer<typeof conversation>;

export const conversationCreated = conversation;
export const conversationList = z.looseObject({ payload: z.array(conversation) });
/** GET and POST conversations/{id}/labels: the label titles. */
export const conversationLabels = z.looseObject({ payload: z.array(z.string()) });
export const statusToggled = z.looseObject({
  payload: z.looseObject({ success: z.boolean(), current_status: z.string() }),
});

const messageTypes = ['incoming', 'outgoing', 'activity', 'template'] as const;

/** 0 incoming, 1 outgoing, 2 activity, 3 template; names accepted too. */
const messageType = z.union([
  z.number().int().min(0).max(3).transform((index) => messageTypes[index]!),
  z.enum(messageTypes),
]);

const message = z.looseObject({
  id,
  content: z.string().nullish(),
  message_type: messageType,
  private: z.boolean().nullish(),
  source_id: z.string().nullish(),
  status: z.string().nullish(),
});
type RestMessage = z.infer<typeof message>;

export const messageCreated = message;
export const messageList = z.looseObject({ payload: z.array(message) });

export function toContact(raw: RestContact, inboxId: number): ChatwootContact {
  return {
    id: raw.id,
    name: raw.name ?? '',
    phoneNumber: raw.phone_number || null,
    identifier: raw.identifier || null,
    customAttributes: raw.custom_attributes ?? {},
    sourceIds: (raw.contact_inboxes ?? []).filter((link) => link.inbox.id === inboxId).map((link) => link.source_id),
  };
}

export function toConversation(raw: RestConversation, knownSourceId?: string): ChatwootConversation {
  const fromLastMessage = raw.messages?.[0]?.conversation?.contact_inbox?.source_id;
  return { id: raw.id, status: raw.status, inboxId: raw.inbox_id, sourceId: knownSourceId ?? fromLastMessage ?? null };
}

export function toMessage(raw: RestMessage): ChatwootMessage {
  const mapped: ChatwootMessage = {
    id: raw.id,
    sourceId: raw.source_id ?? null,
    messageType: raw.message_type,
    private: raw.private ?? false,
    content: raw.content ?? null,
  };
  if (typeof raw.status === 'string') mapped.status = raw.status;
  return mapped;
}
