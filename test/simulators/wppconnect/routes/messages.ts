/**
 * Sending text and reading a chat (messageController.sendMessage, deviceController.getMessages).
 */
import type { FastifyInstance } from 'fastify';
import { contactToArray } from '../addressing.ts';
import { verifyToken } from '../auth.ts';
import { prepareSend, SEND_FAILED, SendRefused, sendTo } from '../outgoing.ts';
import type { SimulatorState } from '../state.ts';
import { statusConnection } from '../status-connection.ts';
import type { WebhookSender } from '../webhooks.ts';

interface SendMessageBody {
  phone?: unknown;
  isGroup?: unknown;
  isNewsletter?: unknown;
  isLid?: unknown;
  message?: unknown;
  options?: { quotedMsg?: unknown } | null;
}

type GetMessages = {
  Params: { session: string; phone: string };
  Querystring: { count?: string; direction?: string; id?: string };
};

const OPEN_LIST_FAILED = { status: 'error', response: 'Error on open list', error: {} };

export function messageRoutes(app: FastifyInstance, state: SimulatorState, webhooks: WebhookSender): void {
  const preHandler = [verifyToken(state), statusConnection(state)];

  app.post<{ Params: { session: string }; Body: SendMessageBody | undefined }>(
    '/api/:session/send-message',
    { preHandler },
    (request, reply) => {
      const body = request.body ?? {};
      const recipients = contactToArray(body.phone, body);
      // The controller answers a bare JSON string when there was nobody to send to.
      if (recipients.length === 0) {
        return reply.code(400).type('application/json; charset=utf-8').send(JSON.stringify('Error sending message'));
      }
      const text = body.message;
      if (typeof text !== 'string') return reply.code(500).send(SEND_FAILED);
      const input = { type: 'chat', text, quotedMsgId: body.options?.quotedMsg };
      try {
        const quoted = prepareSend(state, recipients, input);
        const response = recipients.map((chatId) => sendTo(state, webhooks, chatId, input, quoted));
        return reply.code(201).send({ status: 'success', response, mapper: 'return' });
      } catch (error) {
        if (error instanceof SendRefused) return reply.code(500).send(SEND_FAILED);
        throw error;
      }
    },
  );

  // `phone` is a full chat id here (…@c.us, …@lid, …@g.us). Oldest first, like wa-js.
  app.get<GetMessages>('/api/:session/get-messages/:phone', { preHandler }, (request, reply) => {
    const chat = state.chats.get(request.params.phone);
    // wa-js throws "chat not found" (or "msg not found" for an unknown `id`); the controller answers 401.
    if (chat === undefined) return reply.code(401).send(OPEN_LIST_FAILED);
    const { count = '20', direction = 'before', id } = request.query;
    let messages = chat.messages;
    if (id !== undefined && id !== '') {
      const index = messages.findIndex((message) => message.id === id);
      if (index < 0) return reply.code(401).send(OPEN_LIST_FAILED);
      messages = direction === 'after' ? messages.slice(index + 1) : messages.slice(0, index);
    }
    const requested = Number.parseInt(count, 10) || 20;
    const response = requested < 0 ? messages : direction === 'after' ? messages.slice(0, requested) : messages.slice(-requested);
    return reply.code(200).send({ status: 'success', response });
  });
}
