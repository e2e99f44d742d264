/**
 * A message arriving from a phone: WhatsApp Web stores it in its chat (so
 * get-messages, all-new-messages and download-media see it), the chat gains an
 * unread message, and the server POSTs `onmessage` without waiting for it (the
 * server's callWebHook is not awaited): messages in quick succession are POSTed
 * concurrently and may reach the bridge in any order.
 */
import type { IncomingInput } from './incoming.ts';
import { incomingMessage } from './incoming.ts';
import type { SimulatorState } from './state.ts';
import { chatOf } from './state.ts';
import type { WebhookSender } from './webhooks.ts';

export interface ReceivedMessage {
  id: string;
  /** Settles once its `onmessage` POST ended (answered, failed or skipped); never rejects. */
  delivered: Promise<void>;
}

export function receive(state: SimulatorState, webhooks: WebhookSender, input: IncomingInput): ReceivedMessage {
  const message = incomingMessage(state, input, state.now());
  const chat = chatOf(state, message.chatId);
  chat.messages.push(message);
  chat.unreadCount += 1;
  if (input.media !== undefined) state.media.set(message.id, { bytes: input.media.bytes, mimetype: input.media.mimetype });
  if (input.pushname !== undefined) state.pushnames.set(message.sender.id, input.pushname);
  return { id: message.id, delivered: webhooks.message('onmessage', message) };
}
