/**
 * Message objects as wppconnect serializes them (the send-message `response`
 * items, get-messages items, webhook payloads). CONTRACTS.md §2.5. Fields that
 * only some messages have (media, quotes, locations) are optional, so they are
 * absent from the JSON when unset, as on the real server.
 */
import { randomBytes } from 'node:crypto';

export interface WaContact {
  id: string;
  pushname: string | null;
  name: string | null;
  shortName: string | null;
  formattedName: string;
  isMe: boolean;
  isMyContact: boolean;
  isUser: boolean;
  isWAContact: boolean;
}

export interface WaMessage {
  id: string;
  type: string;
  body: string;
  content: string;
  from: string;
  to: string;
  author: string | null;
  chatId: string;
  fromMe: boolean;
  self: 'in' | 'out';
  t: number;
  timestamp: number;
  notifyName: string;
  ack: number;
  isNewMsg: boolean;
  star: boolean;
  isGroupMsg: boolean;
  isMedia: boolean;
  isMMS: boolean;
  isNotification: boolean;
  isForwarded: boolean;
  mentionedJidList: string[];
  sender: WaContact;
  mediaData: Record<string, unknown>;
  caption?: string;
  mimetype?: string;
  filename?: string;
  size?: number;
  filehash?: string;
  mediaKey?: string;
  directPath?: string;
  deprecatedMms3Url?: string;
  quotedMsgId?: string;
  quotedParticipant?: string;
  lat?: number;
  lng?: number;
  loc?: string;
  vcardFormattedName?: string;
}

/** WhatsApp Web message keys look like 3EB0 followed by hex. */
export function newMessageKey(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

export function contact(id: string, isMe: boolean, pushname: string | null = null): WaContact {
  const digits = id.split('@')[0] ?? '';
  return {
    id,
    pushname,
    name: null,
    shortName: null,
    formattedName: id.endsWith('@c.us') ? `+${digits}` : (pushname ?? digits),
    isMe,
    isMyContact: false,
    isUser: true,
    isWAContact: true,
  };
}

/** The parts of a serialized id `<fromMe>_<chatId>_<key>[_<participant>]`. */
export function idParts(id: string): { fromMe: boolean; remote: string; key: string; participant?: string } {
  const [fromMe = '', remote = '', key = '', participant] = id.split('_');
  return { fromMe: fromMe === 'true', remote, key, ...(participant === undefined ? {} : { participant }) };
}

/** The id as the Wid-like key object of onack payloads. */
export function idObject(id: string): Record<string, unknown> {
  const { fromMe, remote, key, participant } = idParts(id);
  return { fromMe, remote, id: key, ...(participant === undefined ? {} : { participant }), _serialized: id };
}

/** Quote fields wppconnect adds to a reply. */
export function quoteFields(quoted: WaMessage | undefined, ownId: string): Partial<WaMessage> {
  if (quoted === undefined) return {};
  return { quotedMsgId: quoted.id, quotedParticipant: quoted.fromMe ? ownId : (quoted.author ?? quoted.from) };
}

export interface BaseInput {
  id: string;
  type: string;
  body: string;
  from: string;
  to: string;
  chatId: string;
  fromMe: boolean;
  author: string | null;
  sender: WaContact;
  at: Date;
}

export function baseMessage(input: BaseInput): WaMessage {
  const t = Math.floor(input.at.getTime() / 1000);
  return {
    id: input.id,
    type: input.type,
    body: input.body,
    content: input.body,
    from: input.from,
    to: input.to,
    author: input.author,
    chatId: input.chatId,
    fromMe: input.fromMe,
    self: input.fromMe ? 'out' : 'in',
    t,
    timestamp: t,
    notifyName: input.sender.pushname ?? '',
    ack: 1,
    isNewMsg: true,
    star: false,
    isGroupMsg: input.chatId.endsWith('@g.us'),
    isMedia: false,
    isMMS: false,
    isNotification: false,
    isForwarded: false,
    mentionedJidList: [],
    sender: input.sender,
    mediaData: {},
  };
}

/** A message sent by the paired phone to `chatId` (text, or media with `fields`). */
export function outgoingMessage(input: {
  ownId: string;
  chatId: string;
  type: string;
  body: string;
  at: Date;
  fields?: Partial<WaMessage>;
}): WaMessage {
  const base = baseMessage({
    id: `true_${input.chatId}_${newMessageKey()}`,
    type: input.type,
    body: input.body,
    from: input.ownId,
    to: input.chatId,
    chatId: input.chatId,
    fromMe: true,
    author: null,
    sender: contact(input.ownId, true),
    at: input.at,
  });
  return { ...base, ...input.fields };
}

/** A text (`chat`) message sent by the paired phone to `chatId`. */
export function outgoingText(input: { ownId: string; chatId: string; body: string; at: Date }): WaMessage {
  return outgoingMessage({ ...input, type: 'chat' });
}
