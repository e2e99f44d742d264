import { createHash } from 'node:crypto';
import type { ChatwootContact } from '../../integrations/chatwoot/client.ts';
import type { BridgeDependencies } from './dependencies.ts';

/** The contact's custom attribute holding the driver's WhatsApp name as the bridge last saw it. */
export const whatsappNameAttribute = 'whatsapp_name';

/**
 * The driver's WhatsApp name on their Chatwoot contact, followed when they change it on WhatsApp,
 * never over a name an agent gave the contact by hand. The contact keeps the WhatsApp name last seen
 * in its custom attribute `whatsapp_name`; the bridge renames the contact only while its name is
 * still that one, or still the phone number a contact without a WhatsApp name was given. Each worker
 * remembers, per chat, a hash of the name it last saw, so a contact is read only when that changes
 * (and once per chat after a start).
 */
export function createContactNames(maxChats = 10_000) {
  const seen = new Map<string, string>();
  const fingerprint = (name: string) => createHash('sha256').update(name).digest('base64url');

  /** What the contact should become for this WhatsApp name; null when it is as it should be. */
  function update(contact: ChatwootContact, name: string): { name?: string; customAttributes: Record<string, string> } | null {
    const known = contact.customAttributes[whatsappNameAttribute];
    if (known === name) return null;
    const byTheBridge = contact.name === known || contact.name === contact.phoneNumber || contact.name === '';
    return { ...(byTheBridge && contact.name !== name ? { name } : {}), customAttributes: { [whatsappNameAttribute]: name } };
  }

  return async function followName(deps: Pick<BridgeDependencies, 'chatwoot'>, chatId: string, contactId: number, name: string): Promise<void> {
    const key = `${contactId}:${chatId}`;
    const now = fingerprint(name);
    if (seen.get(key) === now) return;
    const contact = await deps.chatwoot.contact(contactId);
    if (contact === null) return;
    const change = update(contact, name);
    if (change !== null) await deps.chatwoot.updateContact(contactId, change);
    seen.delete(key);
    seen.set(key, now);
    if (seen.size > maxChats) seen.delete(seen.keys().next().value!);
  };
}
