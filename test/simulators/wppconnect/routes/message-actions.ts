/**
 * What is done to messages already in a chat (deviceController.deleteMessage, setTyping; the
 * swagger's bodies, the controllers' answers as in wppconnect-server v2.10.4):
 * - delete-message `{phone, messageId, onlyLocal?}`: `phone` goes to wa-js as it is, so it is the
 *   whole chat id; the message becomes a "revoked" notice in the chat; 200
 *   `{status: 'success', response: {message: 'Message deleted'}}`; a message wa-js does not find
 *   throws: 500 `{status: 'error', message: 'Error on delete message'}`. wa-js revokes for everyone
 *   only within WhatsApp's time limit and otherwise deletes for the company alone, answering the same.
 * - typing `{phone, isGroup, value}`: starts or stops "typing…" in the chat; 200 `{status: 'success', response}`.
 */
import type { FastifyInstance } from 'fastify';
import { contactToArray } from '../addressing.ts';
import { verifyToken } from '../auth.ts';
import type { SimulatorState } from '../state.ts';
import { findMessage } from '../state.ts';
import { statusConnection } from '../status-connection.ts';

type Session = { Params: { session: string } };

export function messageActionRoutes(app: FastifyInstance, state: SimulatorState): void {
  const preHandler = [verifyToken(state), statusConnection(state)];

  app.post<Session & { Body: Record<string, unknown> | undefined }>('/api/:session/delete-message', { preHandler }, (request, reply) => {
    const { phone, messageId, onlyLocal } = request.body ?? {};
    const message = typeof messageId === 'string' ? findMessage(state, messageId) : undefined;
    if (message === undefined || message.chatId !== phone) return reply.code(500).send({ status: 'error', message: 'Error on delete message', error: {} });
    state.deletions.push({ messageId: message.id, chatId: message.chatId, forEveryone: onlyLocal !== true && message.fromMe, at: state.now() });
    if (onlyLocal !== true && message.fromMe) revoke(message);
    return reply.code(200).send({ status: 'success', response: { message: 'Message deleted' } });
  });

  app.post<Session & { Body: Record<string, unknown> | undefined }>('/api/:session/typing', { preHandler }, (request, reply) => {
    const body = request.body ?? {};
    const value = body.value ?? true;
    for (const chatId of contactToArray(body.phone, body)) state.typing.push({ chatId, typing: value === true, at: state.now() });
    return reply.code(200).send({ status: 'success', response: true });
  });
}

/** What WhatsApp leaves of a message deleted for everyone: a notice with no content. */
export function revoke(message: { type: string; body: string; content: string; caption?: string }): void {
  message.type = 'revoked';
  message.body = '';
  message.content = '';
  delete message.caption;
}
