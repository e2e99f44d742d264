import { randomInt } from 'node:crypto';
import type { TestSystem } from './test-system.ts';

/** A Portuguese mobile, as WhatsApp digits (351 + 9 digits), different on every call. */
export const newDriverPhone = () => `3519${String(randomInt(10_000_000, 99_999_999))}`;

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
