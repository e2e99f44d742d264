import type { ChatwootContact } from '../../integrations/chatwoot/client.ts';
import { isGroupChatId, type ChatwootLink } from '../../domain/chat.ts';
import { agentRenderings } from '../../domain/texts/agents.ts';
import { phoneOfChat } from '../delivery/recipient.ts';
import { whatsappNameAttribute } from './contact-names.ts';
import type { BridgeDependencies } from './dependencies.ts';

/**
 * The Chatwoot contact and conversation of a WhatsApp chat. The contact is found by its exact
 * phone (never a fuzzy search), so a driver who shows up under an `@lid` id is the same contact;
 * it is created with the WhatsApp chat id as its inbox `source_id`, which every Chatwoot webhook
 * then carries back. A WhatsApp group has no phone: it is one contact found by its chat id
 * (the identifier), whose messages name their sender. An open or pending conversation is reused;
 * a resolved one is reopened or replaced, by configuration. A chat bridged for the first time (its
 * contact has no conversation) gets its history imported: what WhatsApp stamped before `until`
 * (seconds: the message bridged; default now). Started before the conversation is made, so a retry
 * cannot miss it.
 */
export async function resolveConversation(
  deps: Pick<BridgeDependencies, 'chatwoot' | 'wppconnect' | 'resolvedConversations' | 'firstBridged'>,
  chatId: string,
  senderName: string | null,
  until?: number,
): Promise<ChatwootLink & { created: boolean }> {
  const { chatwoot } = deps;
  const contact = isGroupChatId(chatId) ? await groupContact(deps, chatId) : await personContact(deps, chatId, senderName);
  if (!contact.sourceIds.includes(chatId)) await chatwoot.ensureContactInbox(contact.id, chatId);

  const conversations = await chatwoot.contactConversations(contact.id);
  const live = conversations.find((conversation) => conversation.status !== 'resolved');
  if (live !== undefined) return { contactId: contact.id, conversationId: live.id, created: false };
  const resolved = conversations[0];
  if (resolved !== undefined && deps.resolvedConversations === 'reopen') {
    await chatwoot.setConversationStatus(resolved.id, 'open');
    return { contactId: contact.id, conversationId: resolved.id, created: false };
  }
  if (conversations.length === 0) await deps.firstBridged?.(chatId, until ?? Math.floor(Date.now() / 1000));
  const created = await chatwoot.createConversation({ contactId: contact.id, sourceId: chatId });
  return { contactId: contact.id, conversationId: created.id, created: true };
}

async function personContact(deps: Pick<BridgeDependencies, 'chatwoot' | 'wppconnect'>, chatId: string, senderName: string | null): Promise<ChatwootContact> {
  const digits = await phoneOfChat(deps.wppconnect, chatId);
  // Without a phone the contact could not be matched to the same person later: wait (retry) for WPPConnect's lid mapping.
  if (digits === null) throw new Error("WPPConnect does not know this chat's phone yet (an @lid id)");
  const phone = `+${digits}`;
  return (
    (await deps.chatwoot.findContactByPhone(phone)) ??
    (await deps.chatwoot.createContact({
      name: senderName ?? phone, phoneE164: phone, identifier: chatId, sourceId: chatId,
      ...(senderName === null ? {} : { customAttributes: { [whatsappNameAttribute]: senderName } }),
    }))
  );
}

/** A group's contact: no phone, the group's chat id as identifier (the first sender's name would mislabel it). */
async function groupContact(deps: Pick<BridgeDependencies, 'chatwoot'>, chatId: string): Promise<ChatwootContact> {
  return (
    (await deps.chatwoot.findContactByIdentifier(chatId)) ??
    (await deps.chatwoot.createContact({ name: agentRenderings.groupContactName(chatId), identifier: chatId, sourceId: chatId }))
  );
}
