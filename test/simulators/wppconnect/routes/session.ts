/**
 * Session lifecycle routes (sessionController). Only the configured session is
 * paired with a phone; any other name is valid for tokens but never started.
 * QR-code pairing is not simulated: starting a session that is not live answers
 * CLOSED and leaves it so (use setConnected in tests, or restart the sandbox).
 *
 * The first start-session of the live session stands for the call that started it
 * and takes its body as the session's config (`webhook`); like the server
 * (createSessionUtil returns early for a running client), later calls change nothing.
 */
import type { FastifyInstance } from 'fastify';
import { verifyToken } from '../auth.ts';
import type { SimulatorState } from '../state.ts';
import { isLive, SERVER_VERSION, sessionName } from '../state.ts';

type SessionParams = { Params: { session: string } };

function sessionState(state: SimulatorState, session: string): Record<string, unknown> {
  // A live client has no pending QR: urlcode is undefined (omitted) and qrcode null.
  return isLive(state, session)
    ? { status: 'CONNECTED', qrcode: null, version: SERVER_VERSION }
    : { status: 'CLOSED', qrcode: null };
}

export function sessionRoutes(app: FastifyInstance, state: SimulatorState): void {
  const preHandler = [verifyToken(state)];

  app.post<SessionParams & { Body: { webhook?: unknown } | undefined }>(
    '/api/:session/start-session',
    { preHandler },
    (request, reply) => {
      const session = sessionName(request.params.session);
      if (isLive(state, session) && !state.sessionConfigured) {
        const webhook = request.body?.webhook;
        state.sessionWebhook = typeof webhook === 'string' && webhook !== '' ? webhook : undefined;
        state.sessionConfigured = true;
      }
      return reply.code(200).send(sessionState(state, session));
    },
  );

  app.get<SessionParams>('/api/:session/status-session', { preHandler }, (request, reply) =>
    reply.code(200).send(sessionState(state, sessionName(request.params.session))),
  );

  app.get<SessionParams>('/api/:session/check-connection-session', { preHandler }, (request, reply) =>
    reply
      .code(200)
      .send(
        isLive(state, sessionName(request.params.session))
          ? { status: true, message: 'Connected' }
          : { status: false, message: 'Disconnected' },
      ),
  );
}
