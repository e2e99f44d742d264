/**
 * A message as a driver's phone produces it, serialized the way wppconnect hands
 * it to `onmessage`: id `false_<chatId>_<key>[_<author>]`, `from` = the chat (the
 * group in groups, with the participant in `author`), media with only a preview
 * in `body`, locations with coordinates and a preview, vCards as text.
 */
import type { MediaFile } from './media.ts';
import { detectType, MEDIA_TYPES, mediaFields, previewBody } from './media.ts';
import type { WaMessage } from './messages.ts';
import { baseMessage, contact, newMessageKey, quoteFields } from './messages.ts';
import type { SimulatorState } from './state.ts';
import { findMessage } from './state.ts';

/**
 * wppconnect's message types a phone sends (CONTRACTS.md §2.5). The text-like ones carry their words
 * in `body`: a list or button choice the chosen option, a poll its question; `ciphertext` (a message
 * WhatsApp Web could not decrypt yet) and `revoked` (one deleted before it was read) carry nothing.
 */
export type IncomingType =
  | 'chat' | 'image' | 'video' | 'audio' | 'ptt' | 'document' | 'sticker' | 'location' | 'vcard'
  | 'list_response' | 'buttons_response' | 'poll_creation' | 'ciphertext' | 'revoked';

export interface IncomingInput {
  /** Digits (351912345678), a phone id (…@c.us), an @lid id, or with isGroup the group (digits or …@g.us). */
  from: string;
  /** Default: from the media's mimetype, else chat. */
  type?: IncomingType;
  /** Text of a chat message, or the vCard of a vcard. */
  body?: string;
  /** Caption of an image, video or document. */
  caption?: string;
  media?: MediaFile;
  /** For a location. Default: Lisbon, no name. */
  location?: { lat: number; lng: number; name?: string };
  quotedMsgId?: string;
  isGroup?: boolean;
  /** The participant who wrote in a group (digits, …@c.us or …@lid). */
  author?: string;
  pushname?: string;
}

/** Digits become a phone id; ids with a server are kept. */
export function contactId(value: string): string {
  if (value.includes('@')) return value;
  if (!/^\d{5,20}$/.test(value)) throw new Error(`"${value}" is neither digits nor a WhatsApp id`);
  return `${value}@c.us`;
}

function groupId(value: string): string {
  return value.endsWith('@g.us') ? value : `${value.split('@')[0] ?? value}@g.us`;
}

function typeOf(input: IncomingInput): IncomingType {
  if (input.type !== undefined) return input.type;
  if (input.media !== undefined) return detectType(input.media.mimetype) as IncomingType;
  return input.location === undefined ? 'chat' : 'location';
}

export function incomingMessage(state: SimulatorState, input: IncomingInput, at: Date): WaMessage {
  const type = typeOf(input);
  if (MEDIA_TYPES.has(type) && input.media === undefined) throw new Error(`receive: a ${type} message needs media`);
  if (input.isGroup && input.author === undefined) throw new Error('receive: a group message needs its author');
  const chatId = input.isGroup ? groupId(input.from) : contactId(input.from);
  const author = input.isGroup && input.author !== undefined ? contactId(input.author) : null;
  const senderId = author ?? chatId;
  const key = newMessageKey();
  const base = baseMessage({
    id: author === null ? `false_${chatId}_${key}` : `false_${chatId}_${key}_${author}`,
    type,
    body: input.body ?? '',
    from: chatId,
    to: state.ownId,
    chatId,
    fromMe: false,
    author,
    sender: contact(senderId, false, input.pushname ?? state.pushnames.get(senderId) ?? null),
    at,
  });
  const quoted = input.quotedMsgId === undefined ? undefined : findMessage(state, input.quotedMsgId);
  const quote = quoted === undefined && input.quotedMsgId !== undefined ? { quotedMsgId: input.quotedMsgId } : quoteFields(quoted, state.ownId);
  return { ...base, ...quote, ...typeFields(type, input) };
}

function typeFields(type: IncomingType, input: IncomingInput): Partial<WaMessage> {
  const caption = input.caption === undefined ? {} : { caption: input.caption };
  if (input.media !== undefined) {
    const filename = type === 'document' ? { filename: input.media.filename ?? 'document' } : {};
    return { ...mediaFields(type, { ...input.media, ...filename }), ...caption };
  }
  if (type === 'location') {
    const { lat, lng, name } = input.location ?? { lat: 38.7223, lng: -9.1393 };
    const body = previewBody('location', 0);
    return { lat, lng, body, content: body, ...(name === undefined ? {} : { loc: name }) };
  }
  if (type === 'vcard') {
    const name = /^FN:(.*)$/m.exec(input.body ?? '')?.[1]?.trim();
    return name === undefined ? {} : { vcardFormattedName: name };
  }
  return {};
}
