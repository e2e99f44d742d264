import type { IncomingWhatsAppMessage } from './webhook.ts';
import type { InboundMessage } from '../../domain/chat.ts';
import type { WhatsAppMessage } from './message.ts';
import { agentRenderings } from '../../domain/texts/agents.ts';

/** WhatsApp's own notices in a chat (security code changed, group changes, calls…): nothing a driver wrote. */
const noticeTypes: ReadonlySet<string> = new Set(['e2e_notification', 'notification_template', 'notification', 'gp2', 'call_log', 'protocol', 'broadcast_notification']);

/**
 * How long a message WhatsApp has yet to decrypt (`ciphertext`, "A aguardar esta mensagem") is left
 * for polling to bring once it reads: relaying its placeholder at once would spend its id, and the
 * text that follows under that id would never come. Past it, the agent at least learns one came.
 */
export const undecryptedWaitSeconds = 10 * 60;

/**
 * Whether a message is the driver's to relay: not the company's own, not a status broadcast, not a
 * group's unless groups are relayed, not one of WhatsApp's notices, and not one still waiting to be
 * decrypted (for `undecryptedWaitSeconds`).
 */
export const isRelayable = (
  message: Pick<WhatsAppMessage, 'fromMe' | 'chatId' | 'isGroupMsg' | 'type' | 'timestamp'>, includeGroups: boolean, nowMs = Date.now(),
): boolean =>
  !message.fromMe && message.chatId !== 'status@broadcast' && (includeGroups || !message.isGroupMsg) && !noticeTypes.has(message.type)
  && (message.type !== 'ciphertext' || nowMs / 1000 - message.timestamp > undecryptedWaitSeconds);

/**
 * Whether a message of a chat's history is one to import: the driver's or the company phone's (both
 * sides of the conversation), not a status broadcast, not one of WhatsApp's notices, and not one
 * WhatsApp never decrypted (its placeholder says nothing).
 */
export const isImportable = (message: Pick<WhatsAppMessage, 'chatId' | 'type'>): boolean =>
  message.chatId !== 'status@broadcast' && !noticeTypes.has(message.type) && message.type !== 'ciphertext';

/** A vCard's name and numbers, for agents to read (`FN:` and `TEL` lines). */
function contactCardText(vcard: string): string {
  const name = /^FN[^:]*:(.*)$/m.exec(vcard)?.[1]?.trim() ?? null;
  const phones = [...vcard.matchAll(/^TEL[^:]*:(.*)$/gm)].map((match) => match[1]!.trim());
  return agentRenderings.contactCard(name, phones);
}

/**
 * What an agent should read for a message: its text, caption, or a readable rendering; never
 * nothing for a message of any other kind without a file (Chatwoot takes no empty message, and the
 * agent must know something came).
 */
export function readableText(message: IncomingWhatsAppMessage): string | null {
  if (message.type === 'location' && message.location !== undefined) {
    const { lat, lng, description } = message.location;
    return agentRenderings.location(description ?? null, lat, lng);
  }
  if (message.type === 'vcard' || message.type === 'multi_vcard') return contactCardText(message.body);
  if (message.hasMedia) return message.caption ?? null;
  const body = message.body.trim() === '' ? null : message.body;
  switch (message.type) {
    case 'list_response':
    case 'buttons_response':
      return agentRenderings.choice(body);
    case 'poll_creation':
      return agentRenderings.poll(body);
    case 'revoked':
      return agentRenderings.deletedBeforeRelay();
    case 'ciphertext':
      return agentRenderings.notDecrypted();
    case 'chat':
      // WhatsApp sends no empty text: one is nothing to show (Chatwoot refuses it, and the relay counts it as a failure).
      return body;
    default:
      return body ?? agentRenderings.unreadable(message.type);
  }
}

export function toInboundEvent(message: IncomingWhatsAppMessage, mediaKey: string | null): InboundMessage {
  return {
    kind: 'inbound',
    whatsappId: message.id,
    type: message.type,
    text: readableText(message),
    mediaKey,
    mimetype: message.media?.mimetype ?? message.mimetype ?? null,
    filename: message.filename ?? null,
    quotedWhatsappId: message.quotedMsgId ?? null,
    timestamp: message.timestamp,
    senderName: message.pushname ?? null,
    ...(message.isGroupMsg ? { author: message.author ?? null } : {}),
  };
}
