/**
 * Sending: send-message for text, send-image and send-file-base64 for files,
 * send-voice-base64 for voice notes (CONTRACTS.md §2.3). Every send answers 201
 * with one `response` item per recipient; we send to one, so we take its id.
 * A reply names the quoted message: `options.quotedMsg` for text, `quotedMessageId`
 * for files and voice (what the controllers read, though swagger omits it for them).
 */
import { assertChatId, assertDataUrl, assertMessageId, recipientOf } from './address.ts';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { expectBody, serverMessage } from './failures.ts';
import { actionResponse, sendMessageResponse } from './schemas.ts';
import type { Transport } from './transport.ts';

export interface SendFileInput {
  /** Digits, e.g. 351912345678, or an @lid id. */
  phone: string;
  /** data:<mimetype>;base64,<data> */
  dataUrl: string;
  filename: string;
  caption?: string;
  quotedMessageId?: string;
}

export interface SendOperations {
  /** Returns the WhatsApp message id of the sent message. */
  sendText(input: { phone: string; message: string; quotedMessageId?: string }): Promise<{ messageId: string }>;
  /** An image (image/* data URL), shown inline with its caption. */
  sendImage(input: SendFileInput): Promise<{ messageId: string }>;
  /** Any file; WhatsApp picks the kind from the mimetype (image, video, audio, else document). */
  sendFile(input: SendFileInput): Promise<{ messageId: string }>;
  /** A voice note (PTT) from an audio/* data URL; WhatsApp plays ogg/opus best. */
  sendVoice(input: { phone: string; dataUrl: string; quotedMessageId?: string }): Promise<{ messageId: string }>;
  /**
   * delete-message for everyone: wa-js revokes a message of ours while WhatsApp allows it (past that,
   * it only deletes it from the company's phone, and says nothing): the caller checks the age first.
   */
  deleteMessage(input: { chatId: string; messageId: string }): Promise<void>;
  /** typing: "a escrever…" on the driver's phone, on or off. */
  setTyping(input: { chatId: string; typing: boolean }): Promise<void>;
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  value === undefined || value === '' ? {} : ({ [key]: value } as Partial<Record<K, string>>);

export function sendOperations(transport: Transport): SendOperations {
  async function send(route: string, body: Record<string, unknown>): Promise<{ messageId: string }> {
    const response = await transport.call('POST', route, body);
    const [first] = expectBody(route, response, sendMessageResponse).response;
    return { messageId: first!.id };
  }

  function sendDocument(route: 'send-image' | 'send-file-base64', input: SendFileInput) {
    return send(route, {
      ...recipientOf(input.phone),
      filename: input.filename,
      ...optional('caption', input.caption),
      base64: input.dataUrl,
      ...optional('quotedMessageId', input.quotedMessageId),
    });
  }

  return {
    async sendText({ phone, message, quotedMessageId }) {
      const recipient = recipientOf(phone);
      const options = quotedMessageId ? { options: { quotedMsg: quotedMessageId } } : {};
      return send('send-message', { ...recipient, message, ...options });
    },

    async sendImage(input) {
      assertDataUrl(input.dataUrl, 'image');
      return sendDocument('send-image', input);
    },

    async sendFile(input) {
      assertDataUrl(input.dataUrl);
      return sendDocument('send-file-base64', input);
    },

    async sendVoice({ phone, dataUrl, quotedMessageId }) {
      const recipient = recipientOf(phone);
      assertDataUrl(dataUrl, 'audio');
      return send('send-voice-base64', { ...recipient, base64Ptt: dataUrl, ...optional('quotedMessageId', quotedMessageId) });
    },

    async deleteMessage({ chatId, messageId }) {
      assertChatId(chatId);
      assertMessageId(messageId);
      // The controller hands `phone` to wa-js as it is: the whole chat id.
      const response = await transport.call('POST', 'delete-message', { phone: chatId, isGroup: chatId.endsWith('@g.us'), messageId });
      // wa-js threw (a message it does not know, say): trying again would only throw again. A proxy's 500 is an outage, and is retried.
      if (response.status === 500 && serverMessage(response.body) === 'Error on delete message') {
        throw ApplicationFailure.nonRetryable('WPPConnect could not delete the message (wa-js refused it)', ErrorType.ExternalServiceRejected);
      }
      expectBody('delete-message', response, actionResponse);
    },

    async setTyping({ chatId, typing }) {
      assertChatId(chatId);
      const [user, server] = chatId.split('@');
      const body = { phone: user, isGroup: server === 'g.us', ...(server === 'lid' ? { isLid: true } : {}), value: typing };
      expectBody('typing', await transport.call('POST', 'typing', body), actionResponse);
    },
  };
}
