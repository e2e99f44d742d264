/**
 * What every send-* controller shares once the middlewares passed: the quoted
 * message must exist (wa-js looks it up and throws otherwise), an @lid recipient
 * must be a chat WhatsApp knows, the message lands in the chat, the chat is read
 * (wa-js markIsRead), and acks 1 and 2 follow by webhook.
 */
import type { MediaFile } from './media.ts';
import { mediaFields } from './media.ts';
import type { WaMessage } from './messages.ts';
import { outgoingMessage, quoteFields } from './messages.ts';
import type { SentRecord, SimulatorState } from './state.ts';
import { chatOf, findMessage } from './state.ts';
import { createHash } from 'node:crypto';
import type { WebhookSender } from './webhooks.ts';

/** The send controller's 500, for anything wa-js throws. */
export const SEND_FAILED = { status: 'Error', message: 'Erro ao enviar a mensagem.', error: {} };

export class SendRefused extends Error {}

export interface OutgoingInput {
  type: string;
  /** Text, or the caption of a media message. */
  text: string;
  quotedMsgId?: unknown;
  media?: MediaFile;
}

/** Checks everything first, so a refused multi-recipient send sends nothing. */
export function prepareSend(state: SimulatorState, recipients: string[], input: OutgoingInput): WaMessage | undefined {
  for (const chatId of recipients) {
    if (chatId.endsWith('@lid') && !state.chats.has(chatId) && !state.lidToPhone.has(chatId)) {
      throw new SendRefused(`no chat for ${chatId}`);
    }
  }
  if (input.quotedMsgId === undefined || input.quotedMsgId === null || input.quotedMsgId === '') return undefined;
  const quoted = typeof input.quotedMsgId === 'string' ? findMessage(state, input.quotedMsgId) : undefined;
  if (quoted === undefined) throw new SendRefused('quoted message not found');
  return quoted;
}

export function sendTo(
  state: SimulatorState,
  webhooks: WebhookSender,
  chatId: string,
  input: OutgoingInput,
  quoted: WaMessage | undefined,
): WaMessage {
  const at = state.now();
  const media = input.media;
  const caption = media !== undefined && input.text !== '' ? { caption: input.text } : {};
  const fields = { ...quoteFields(quoted, state.ownId), ...(media === undefined ? {} : mediaFields(input.type, media)), ...caption };
  const message = outgoingMessage({ ownId: state.ownId, chatId, type: input.type, body: media === undefined ? input.text : '', at, fields });
  const chat = chatOf(state, chatId);
  chat.messages.push(message);
  chat.unreadCount = 0;
  if (media !== undefined) state.media.set(message.id, { bytes: media.bytes, mimetype: media.mimetype });
  state.sent.push(sentRecord(chatId, message, input, at));
  webhooks.scheduleAcks(message.id);
  return message;
}

function sentRecord(chatId: string, message: WaMessage, input: OutgoingInput, at: Date): SentRecord {
  const record: SentRecord = { id: message.id, phone: chatId.split('@')[0] ?? '', body: input.text, at };
  if (message.quotedMsgId !== undefined) record.quotedMsgId = message.quotedMsgId;
  const { media } = input;
  if (media === undefined) return record;
  return {
    ...record,
    type: input.type,
    ...(media.filename === undefined ? {} : { filename: media.filename }),
    ...(input.text === '' ? {} : { caption: input.text }),
    mimetype: media.mimetype,
    size: media.bytes.length,
    sha256: createHash('sha256').update(media.bytes).digest('hex'),
  };
}
