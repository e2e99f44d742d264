/**
 * A message arriving from a phone: WhatsApp Web stores it in its chat (so
 * get-messages, all-new-messages and download-media see it), the chat gains an
 * unread message, and the server POSTs `onmessage`.
 */
import type { IncomingInput } from './incoming.ts';
import { incomingMessage } from './incoming.ts';
import type { SimulatorState } from './state.ts';
import { chatOf } from './state.ts';
import type { WebhookSender } from './webhooks.ts';

export async function receive(state: SimulatorState, webhooks: WebhookSender, input: IncomingInput): Promise<{ id: string }> {
  const message = incomingMessage(state, input, state.now());
  const chat = chatOf(state, message.chatId);
  chat.messages.push(message);
  chat.unreadCount += 1;
  if (input.media !== undefined) state.media.set(message.id, { bytes: input.media.bytes, mimetype: input.media.mimetype });
  if (input.pushname !== undefined) state.pushnames.set(message.sender.id, input.pushname);
  await webhooks.message('onmessage', message);
  return { id: message.id };
}
