/**
 * Session lifecycle routes (sessionController, CONTRACTS.md §2.2). Only the configured session can
 * be started; any other name is valid for tokens but never started (CLOSED).
 *
 * start-session on a closed session takes its body as the session's config (`webhook`) and shows a
 * QR at once (a restart never reuses a saved login here). On a running one it answers the
 * status-session shape and changes nothing, except that the first call stands for the one that
 * started the session the simulator begins with and takes its `webhook` (createSessionUtil returns
 * early for a running client, so later calls change nothing).
 */
import type { FastifyInstance } from 'fastify';
import { verifyToken } from '../auth.ts';
import type { CloseEvent, SessionLifecycle } from '../session-lifecycle.ts';
import type { ConnectionState, SimulatorState } from '../state.ts';
import { hasClient, SERVER_VERSION, sessionName } from '../state.ts';

type SessionParams = { Params: { session: string } };

const QR_NOT_AVAILABLE = 'QRCode is not available...';
const NOT_STARTED = 'Session not started. Please, use the /start-session route...';

/** What the server's client.status says: it cannot tell a phone offline, its checks see only the browser. */
function reportedStatus(connection: ConnectionState): string {
  return connection === 'PHONE_OFFLINE' ? 'CONNECTED' : connection;
}

function isClosed(state: SimulatorState, session: string): boolean {
  return session !== state.session || state.connection === 'CLOSED';
}

function sessionState(state: SimulatorState, session: string): Record<string, unknown> {
  if (isClosed(state, session)) return { status: 'CLOSED', qrcode: null };
  return {
    status: reportedStatus(state.connection),
    qrcode: state.qr === undefined ? null : `data:image/png;base64,${state.qr.png.toString('base64')}`,
    ...(state.urlcode === undefined ? {} : { urlcode: state.urlcode }),
    version: SERVER_VERSION,
  };
}

function webhookOf(body: { webhook?: unknown } | undefined): string | undefined {
  const webhook = body?.webhook;
  return typeof webhook === 'string' && webhook !== '' ? webhook : undefined;
}

export function sessionRoutes(app: FastifyInstance, state: SimulatorState, lifecycle: SessionLifecycle): void {
  const preHandler = [verifyToken(state)];

  app.post<SessionParams & { Body: { webhook?: unknown; waitQrCode?: unknown } | undefined }>(
    '/api/:session/start-session',
    { preHandler },
    (request, reply) => {
      const session = sessionName(request.params.session);
      if (session !== state.session) return reply.code(200).send(sessionState(state, session));
      if (state.connection !== 'CLOSED') {
        if (!state.sessionConfigured) {
          state.sessionWebhook = webhookOf(request.body);
          state.sessionConfigured = true;
        }
        return reply.code(200).send(sessionState(state, session));
      }
      state.sessionWebhook = webhookOf(request.body);
      state.sessionConfigured = true;
      const { qr } = lifecycle.showQr();
      return reply
        .code(200)
        .send(
          request.body?.waitQrCode
            ? { status: 'qrcode', qrcode: qr.png.toString('base64'), urlcode: qr.urlcode, session }
            : { status: 'CLOSED', qrcode: null },
        );
    },
  );

  app.get<SessionParams>('/api/:session/status-session', { preHandler }, (request, reply) =>
    reply.code(200).send(sessionState(state, sessionName(request.params.session))),
  );

  app.get<SessionParams>('/api/:session/check-connection-session', { preHandler }, (request, reply) => {
    const withClient = hasClient(state, sessionName(request.params.session));
    return reply.code(200).send(withClient ? { status: true, message: 'Connected' } : { status: false, message: 'Disconnected' });
  });

  app.get<SessionParams>('/api/:session/qrcode-session', { preHandler }, (request, reply) => {
    const session = sessionName(request.params.session);
    if (isClosed(state, session)) return reply.code(200).send({ status: null, message: NOT_STARTED });
    if (state.qr !== undefined) return reply.code(200).type('image/png').send(state.qr.png);
    return reply.code(200).send({ status: reportedStatus(state.connection), message: QR_NOT_AVAILABLE });
  });

  const close = (route: string, event: CloseEvent) =>
    app.post<SessionParams>(route, { preHandler }, (request, reply) => {
      if (sessionName(request.params.session) !== state.session || lifecycle.close(event)) {
        return reply.code(200).send({ status: true, message: 'Session successfully closed' });
      }
      return reply.code(500).send({ status: false, message: 'Error closing session', error: {} });
    });
  close('/api/:session/close-session', 'closesession');
  close('/api/:session/logout-session', 'logoutsession');
}
