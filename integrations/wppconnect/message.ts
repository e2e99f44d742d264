/**
 * A WhatsApp message as wppconnect serializes it — in get-messages, all-new-messages
 * and message-by-id answers and in webhook payloads (CONTRACTS.md §2.5) — and the
 * normalized shape the bridge works with. WhatsApp Web adds many raw keys that vary
 * by version: unknown keys are dropped, the ones used here are checked.
 */
import { z } from 'zod';

/** A WhatsApp id: normally a string, sometimes the raw Wid/MsgKey object. */
export const wid = z.union([
  z.string().min(1),
  z.object({ _serialized: z.string().min(1) }).transform((id) => id._serialized),
]);

/** Types whose `body` is a file (autoDownload) or its preview, never text. */
export const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);

export interface WhatsAppMessage {
  /** Serialized id, e.g. false_351912345678@c.us_3EB0A1B2C3D4E5F6. */
  id: string;
  fromMe: boolean;
  /** The text of a chat message (the vCard of a vcard); '' for media and locations, whose body is a file or a preview. */
  body: string;
  /** Seconds since the epoch, as WhatsApp gives it. */
  timestamp: number;
  type: string;
  from: string;
  to: string;
  /** The chat: the other person's id (…@c.us or …@lid), or the group's (…@g.us). */
  chatId: string;
  isGroupMsg: boolean;
  /** In groups, who wrote. */
  author?: string;
  caption?: string;
  mimetype?: string;
  filename?: string;
  /** Size of the whole file in bytes, when WhatsApp says. */
  size?: number;
  hasMedia: boolean;
  quotedMsgId?: string;
  /** The sender's own WhatsApp name (sender.pushname, else notifyName). */
  pushname?: string;
  location?: { lat: number; lng: number; description?: string };
}

const text = z.string().nullish();

export const serializedMessage = z.object({
  id: wid,
  from: wid.nullish(),
  to: wid.nullish(),
  chatId: wid.nullish(),
  fromMe: z.boolean().optional(),
  type: z.string().min(1).default('unknown'),
  body: text,
  content: text,
  caption: text,
  mimetype: text,
  filename: text,
  size: z.number().nullish(),
  quotedMsgId: wid.nullish(),
  t: z.number().optional(),
  timestamp: z.number().optional(),
  isGroupMsg: z.boolean().optional(),
  author: wid.nullish(),
  notifyName: text,
  sender: z.object({ id: wid.nullish(), pushname: text }).nullish(),
  lat: z.number().nullish(),
  lng: z.number().nullish(),
  loc: text,
});
export type SerializedMessage = z.infer<typeof serializedMessage>;

/** The chat part of `<fromMe>_<chatId>_<key>[_<participant>]`. */
export const chatOfId = (id: string): string => id.split('_')[1] ?? '';

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined && value !== '';

export function normalizeMessage(message: SerializedMessage): WhatsAppMessage {
  const fromMe = message.fromMe ?? message.id.startsWith('true_');
  const hasMedia = MEDIA_TYPES.has(message.type);
  const textless = hasMedia || message.type === 'location';
  const pushname = message.sender?.pushname || message.notifyName;
  const normalized: WhatsAppMessage = {
    id: message.id,
    fromMe,
    body: textless ? '' : (message.body ?? ''),
    timestamp: message.t ?? message.timestamp ?? 0,
    type: message.type,
    from: message.from ?? '',
    to: message.to ?? '',
    chatId: message.chatId ?? ((fromMe ? message.to : message.from) || chatOfId(message.id)),
    isGroupMsg: message.isGroupMsg ?? (message.chatId ?? message.from ?? '').endsWith('@g.us'),
    hasMedia,
  };
  if (present(message.author)) normalized.author = message.author;
  if (present(message.caption)) normalized.caption = message.caption;
  if (present(message.mimetype)) normalized.mimetype = message.mimetype;
  if (present(message.filename)) normalized.filename = message.filename;
  if (present(message.size)) normalized.size = message.size;
  if (present(message.quotedMsgId)) normalized.quotedMsgId = message.quotedMsgId;
  if (present(pushname)) normalized.pushname = pushname;
  if (message.type === 'location' && present(message.lat) && present(message.lng)) {
    normalized.location = { lat: message.lat, lng: message.lng, ...(present(message.loc) ? { description: message.loc } : {}) };
  }
  return normalized;
}
