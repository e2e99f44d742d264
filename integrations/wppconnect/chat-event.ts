import type { IncomingWhatsAppMessage } from './webhook.ts';
import type { InboundMessage } from '../../domain/chat.ts';
import { agentRenderings } from '../../domain/texts/agents.ts';

/** A vCard's name and numbers, for agents to read (`FN:` and `TEL` lines). */
function contactCardText(vcard: string): string {
  const name = /^FN[^:]*:(.*)$/m.exec(vcard)?.[1]?.trim() ?? null;
  const phones = [...vcard.matchAll(/^TEL[^:]*:(.*)$/gm)].map((match) => match[1]!.trim());
  return agentRenderings.contactCard(name, phones);
}

/** What an agent should read for a message: its text, caption, or a readable rendering. */
export function readableText(message: IncomingWhatsAppMessage): string | null {
  if (message.type === 'location' && message.location !== undefined) {
    const { lat, lng, description } = message.location;
    return agentRenderings.location(description ?? null, lat, lng);
  }
  if (message.type === 'vcard' || message.type === 'multi_vcard') return contactCardText(message.body);
  if (message.hasMedia) return message.caption ?? null;
  return message.body === '' ? null : message.body;
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
