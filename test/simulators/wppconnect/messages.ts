/**
 * Message objects as wppconnect serializes them (the send-* `response` items,
 * get-messages items and, later, webhook payloads). CONTRACTS.md §2.5.
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
}

/** WhatsApp Web message keys look like 3EB0 followed by hex. */
export function newMessageKey(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

function contact(id: string, isMe: boolean): WaContact {
  const digits = id.split('@')[0] ?? '';
  return {
    id,
    pushname: null,
    name: null,
    shortName: null,
    formattedName: `+${digits}`,
    isMe,
    isMyContact: false,
    isUser: true,
    isWAContact: true,
  };
}

/** A text (`chat`) message sent by the paired phone to `chatId`. */
export function outgoingText(input: { ownId: string; chatId: string; body: string; at: Date }): WaMessage {
  const t = Math.floor(input.at.getTime() / 1000);
  return {
    id: `true_${input.chatId}_${newMessageKey()}`,
    type: 'chat',
    body: input.body,
    content: input.body,
    from: input.ownId,
    to: input.chatId,
    author: null,
    chatId: input.chatId,
    fromMe: true,
    self: 'out',
    t,
    timestamp: t,
    notifyName: '',
    ack: 1,
    isNewMsg: true,
    star: false,
    isGroupMsg: false,
    isMedia: false,
    isMMS: false,
    isNotification: false,
    isForwarded: false,
    mentionedJidList: [],
    sender: contact(input.ownId, true),
    mediaData: {},
  };
}
