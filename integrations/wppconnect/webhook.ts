/**
 * What WPPConnect POSTs to the bridge (CONTRACTS.md §2.5): `{event, session, ...data}`,
 * with message fields at the top level. onmessage carries the message (`id` a string;
 * with autoDownload the media `body` is the whole file in raw base64), onack the
 * message with `id` as an object, onreactionmessage and onrevokedmessage the id of the
 * message they are about, status-find/closesession/logoutsession the session.
 * Unknown extra keys are fine; a known event missing what the bridge needs is a
 * MalformedPayload (400).
 */
import { z } from 'zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import type { WhatsAppMessage } from './message.ts';
import { chatOfId, MEDIA_TYPES, normalizeMessage, serializedMessage, wid } from './message.ts';

export interface IncomingWhatsAppMessage extends WhatsAppMessage {
  notifyName?: string;
  /** The whole file, when the server's autoDownload put it in the payload; otherwise download it by id. */
  media?: { base64: string; mimetype: string };
}

export type WppConnectWebhookEvent =
  | { kind: 'message'; event: 'onmessage' | 'unreadmessages'; session: string; message: IncomingWhatsAppMessage }
  | { kind: 'ack'; session: string; messageId: string; chatId: string; fromMe: boolean; ack: number; timestamp: number | null }
  | { kind: 'session'; event: 'status-find' | 'closesession' | 'logoutsession' | 'qrcode'; session: string; status: string }
  /** Someone reacted to a message (`fromMe`: from the company's phone); an empty emoji takes the reaction back. */
  | { kind: 'reaction'; session: string; chatId: string; reactionId: string; messageId: string; emoji: string; fromMe: boolean; at: number }
  /** A message was deleted for everyone (`fromMe`: one of the company's). */
  | { kind: 'revoke'; session: string; chatId: string; messageId: string; fromMe: boolean }
  | { kind: 'ignored'; event: string };

const envelope = z.object({ event: z.string().min(1), session: z.string().min(1) });

/** `type/subtype`, optionally with parameters (`audio/ogg; codecs=opus`); never a control character (CR/LF). */
const mediaType = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;[^\p{Cc}]*)?$/iu;

export const onMessagePayload = envelope.extend(serializedMessage.shape).extend({
  event: z.enum(['onmessage', 'unreadmessages']),
  mimetype: z.string().refine((text) => text === '' || mediaType.test(text), 'not a media type').nullish(),
  id: z.string().min(1),
  from: wid,
  to: wid,
  fromMe: z.boolean(),
  type: z.string().min(1),
  t: z.number().int(),
});

export const onAckPayload = envelope.extend({
  event: z.literal('onack'),
  id: wid,
  ack: z.number().int(),
  t: z.number().optional(),
});

/** `onreactionmessage` (CONTRACTS.md §2.5): `msgId` is the message reacted to, `id` the reaction's own. */
export const onReactionPayload = envelope.extend({
  event: z.literal('onreactionmessage'),
  id: wid,
  msgId: wid,
  reactionText: z.string().max(64).nullish(),
  /** WhatsApp's stamp, in ms. */
  timestamp: z.number().nullish(),
});

/** `onrevokedmessage`: `refId` is the message deleted, `id` the revoke notice's own. */
export const onRevokedPayload = envelope.extend({
  event: z.literal('onrevokedmessage'),
  id: wid.nullish(),
  refId: wid,
});

export const statusFindPayload = envelope.extend({ event: z.literal('status-find'), status: z.string().min(1) });

export const sessionClosedPayload = envelope.extend({ event: z.enum(['closesession', 'logoutsession']) });

/** A new QR to scan (its PNG is read from status-session, not kept from here). */
export const qrCodePayload = envelope.extend({ event: z.literal('qrcode') });

function malformed(error: z.ZodError, event: string): AppError {
  const fields = Object.fromEntries(error.issues.map((issue) => [issue.path.join('.') || '(body)', issue.message]));
  return new AppError(ErrorType.MalformedPayload, `WPPConnect ${event} webhook is missing what the bridge needs`, fields);
}

function parse<T>(schema: z.ZodType<T>, body: unknown, event: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw malformed(parsed.error, event);
  return parsed.data;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const decodedLength = (base64: string): number => Math.floor((base64.length * 3) / 4) - (base64.match(/=+$/)?.[0].length ?? 0);

/**
 * The whole file, only when sure it is not WhatsApp's preview: the decoded length
 * equals `size`, or (no size) autoDownload changed `body` from `content`.
 */
function fullMedia(payload: z.infer<typeof onMessagePayload>): IncomingWhatsAppMessage['media'] {
  const { body, mimetype, size, content } = payload;
  if (!MEDIA_TYPES.has(payload.type) || !body || !mimetype || body.length % 4 !== 0 || !BASE64.test(body)) return undefined;
  const complete = typeof size === 'number' ? decodedLength(body) === size : typeof content === 'string' && content !== body;
  return complete ? { base64: body, mimetype } : undefined;
}

export function parseWppConnectWebhook(body: unknown): WppConnectWebhookEvent {
  const head = parse(envelope.pick({ event: true }), body, 'unnamed');
  switch (head.event) {
    case 'onmessage':
    case 'unreadmessages': {
      const payload = parse(onMessagePayload, body, head.event);
      const message: IncomingWhatsAppMessage = normalizeMessage(payload);
      if (payload.notifyName) message.notifyName = payload.notifyName;
      const media = fullMedia(payload);
      if (media !== undefined) message.media = media;
      return { kind: 'message', event: payload.event, session: payload.session, message };
    }
    case 'onack': {
      const payload = parse(onAckPayload, body, head.event);
      const messageId = payload.id;
      return {
        kind: 'ack',
        session: payload.session,
        messageId,
        chatId: chatOfId(messageId),
        fromMe: messageId.startsWith('true_'),
        ack: payload.ack,
        timestamp: payload.t ?? null,
      };
    }
    case 'onreactionmessage': {
      const payload = parse(onReactionPayload, body, head.event);
      return {
        kind: 'reaction',
        session: payload.session,
        chatId: chatOfId(payload.msgId),
        reactionId: payload.id,
        messageId: payload.msgId,
        emoji: payload.reactionText ?? '',
        fromMe: payload.id.startsWith('true_'),
        at: payload.timestamp ?? 0,
      };
    }
    case 'onrevokedmessage': {
      const payload = parse(onRevokedPayload, body, head.event);
      return { kind: 'revoke', session: payload.session, chatId: chatOfId(payload.refId), messageId: payload.refId, fromMe: payload.refId.startsWith('true_') };
    }
    case 'status-find': {
      const payload = parse(statusFindPayload, body, head.event);
      return { kind: 'session', event: payload.event, session: payload.session, status: payload.status };
    }
    case 'qrcode': {
      const payload = parse(qrCodePayload, body, head.event);
      return { kind: 'session', event: payload.event, session: payload.session, status: 'qrcode' };
    }
    case 'closesession':
    case 'logoutsession': {
      const payload = parse(sessionClosedPayload, body, head.event);
      return { kind: 'session', event: payload.event, session: payload.session, status: payload.event };
    }
    default:
      return { kind: 'ignored', event: head.event };
  }
}
