/**
 * Sending and reading messages (messageController.sendMessage, deviceController.getMessages).
 */
import type { FastifyInstance } from 'fastify';
import { contactToArray, digitsOf } from '../addressing.ts';
import { verifyToken } from '../auth.ts';
import { outgoingText } from '../messages.ts';
import type { SimulatorState } from '../state.ts';
import { statusConnection } from '../status-connection.ts';

interface SendMessageBody {
  phone?: unknown;
  isGroup?: unknown;
  isNewsletter?: unknown;
  isLid?: unknown;
  message?: unknown;
  options?: unknown;
}

type GetMessages = { Params: { session: string; phone: string }; Querystring: { count?: string } };

export function messageRoutes(app: FastifyInstance, state: SimulatorState): void {
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
      if (typeof text !== 'string') {
        return reply.code(500).send({ status: 'Error', message: 'Erro ao enviar a mensagem.', error: {} });
      }
      const at = new Date();
      const response = recipients.map((chatId) => {
        const message = outgoingText({ ownId: state.ownId, chatId, body: text, at });
        const chat = state.chats.get(chatId) ?? [];
        chat.push(message);
        state.chats.set(chatId, chat);
        state.sent.push({ id: message.id, phone: digitsOf(chatId), body: message.body, at });
        return message;
      });
      return reply.code(201).send({ status: 'success', response, mapper: 'return' });
    },
  );

  // `phone` is a full chat id here, e.g. 351912345678@c.us. Newest last, like wa-js.
  app.get<GetMessages>('/api/:session/get-messages/:phone', { preHandler }, (request, reply) => {
    const chat = state.chats.get(request.params.phone);
    // wa-js throws "chat not found" and the controller answers it with a 401.
    if (chat === undefined) return reply.code(401).send({ status: 'error', response: 'Error on open list', error: {} });
    const requested = Number.parseInt(request.query.count ?? '20', 10) || 20;
    const response = requested < 0 ? chat : chat.slice(-requested);
    return reply.code(200).send({ status: 'success', response });
  });
}
