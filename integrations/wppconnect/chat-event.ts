import type { IncomingWhatsAppMessage } from './webhook.ts';
import type { InboundMessage } from '../../domain/chat.ts';
import type { WhatsAppMessage } from './message.ts';
import { agentRenderings } from '../../domain/texts/agents.ts';

/**
 * Whether a message is the driver's to relay: not the company's own, not a status broadcast, not a
 * group's unless groups are relayed, and not one WhatsApp has yet to decrypt (`ciphertext`: relaying
 * its placeholder would spend its id, and the text that follows under that id would never come;
 * polling brings it once it reads).
 */
export const isRelayable = (message: Pick<WhatsAppMessage, 'fromMe' | 'chatId' | 'isGroupMsg' | 'type'>, includeGroups: boolean): boolean =>
  !message.fromMe && message.chatId !== 'status@broadcast' && (includeGroups || !message.isGroupMsg) && message.type !== 'ciphertext';

/** A vCard's name and numbers, for agents to read (`FN:` and `TEL` lines). */
function contactCardText(vcard: string): string {
  const name = /^FN[^:]*:(.*)$/m.exec(vcard)?.[1]?.trim() ?? null;
  const phones = [...vcard.matchAll(/^TEL[^:]*:(.*)$/gm)].map((match) => match[1]!.trim());
  return agentRenderings.contactCard(name, phones);
}

/**
 * What an agent should read for a message: its text, caption, or a readable rendering; never
 * nothing for a message without a file (Chatwoot takes no empty message, and the agent must know
 * something came).
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
