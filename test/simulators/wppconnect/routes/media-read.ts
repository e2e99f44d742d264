/**
 * The whole file of a media message (sessionController.downloadMediaByMessage and
 * getMediaByMessage): 200 `{base64, mimetype}` with raw base64, 400 when the
 * message is unknown or has no media. get-media-by-message has no statusConnection
 * middleware on the server; here it answers the same 404 when the session has no browser client.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { verifyToken } from '../auth.ts';
import { hasMedia } from '../media.ts';
import type { SimulatorState } from '../state.ts';
import { findMessage, hasClient, sessionName } from '../state.ts';
import { SESSION_INACTIVE, statusConnection } from '../status-connection.ts';

export function mediaReadRoutes(app: FastifyInstance, state: SimulatorState): void {
  function answer(reply: FastifyReply, messageId: unknown) {
    const message = typeof messageId === 'string' ? findMessage(state, messageId) : undefined;
    // An id WhatsApp does not know fails its decryption (CONTRACTS.md §2.2): "Message not found" is practically unreachable.
    if (message === undefined) return reply.code(400).send({ status: 'error', message: 'Decrypt file error' });
    const file = state.media.get(message.id);
    if (!hasMedia(message) || file === undefined) {
      return reply.code(400).send({ status: 'error', message: 'Message does not contain media' });
    }
    return reply.code(200).send({ base64: file.bytes.toString('base64'), mimetype: file.mimetype });
  }

  app.post<{ Params: { session: string }; Body: { messageId?: unknown } | undefined }>(
    '/api/:session/download-media',
    { preHandler: [verifyToken(state), statusConnection(state)] },
    (request, reply) => answer(reply, request.body?.messageId),
  );

  app.get<{ Params: { session: string; messageId: string } }>(
    '/api/:session/get-media-by-message/:messageId',
    { preHandler: [verifyToken(state)] },
    (request, reply) => {
      if (!hasClient(state, sessionName(request.params.session))) return reply.code(404).send(SESSION_INACTIVE);
      return answer(reply, request.params.messageId);
    },
  );
}
