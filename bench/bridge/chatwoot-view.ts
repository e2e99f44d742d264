/** What the Chatwoot simulator holds, as this bench reads it: conversations by their contact's phone. */
import type { ChatwootSimulator } from '../../test/simulators/chatwoot/index.ts';
import type { Arrival } from './delivery-check.ts';

/** Digits of each conversation's contact phone (Chatwoot stores E.164, `+351…`). */
function phoneByConversation(chatwoot: ChatwootSimulator): Map<number, string> {
  const phoneByContact = new Map(chatwoot.contacts().map((contact) => [contact.id, (contact.phoneNumber ?? '').replace(/^\+/, '')]));
  return new Map(chatwoot.conversations().map((conversation) => [conversation.id, phoneByContact.get(conversation.contactId) ?? '']));
}

/** Every incoming message, each in its conversation's stream (the contact's phone), oldest first per conversation. */
export function incomingArrivals(chatwoot: ChatwootSimulator): Arrival[] {
  const arrivals: Arrival[] = [];
  for (const [conversationId, phone] of phoneByConversation(chatwoot)) {
    for (const message of chatwoot.messages(conversationId)) {
      if (message.messageType === 'incoming' && message.content !== null) arrivals.push({ stream: phone, text: message.content });
    }
  }
  return arrivals;
}

/** The (first) conversation of each phone that has one. */
export function conversationsByPhone(chatwoot: ChatwootSimulator): Map<string, number> {
  const byPhone = new Map<string, number>();
  for (const [conversationId, phone] of phoneByConversation(chatwoot)) if (!byPhone.has(phone)) byPhone.set(phone, conversationId);
  return byPhone;
}
