/**
 * The simulated WPPConnect Server v2.10.4 as a Fastify app: fault injection first
 * (as if in front of the server), then the routes with the server's own
 * middlewares. `routes` lists what was registered, for the contract check;
 * `webhooks` is what POSTs events to the bridge; `lifecycle` moves the session
 * between its states.
 */
import type { FastifyInstance } from 'fastify';
import { installFaultHooks } from '../shared/fault-hooks.ts';
import { createSimulatorApp, type RegisteredRoute } from '../shared/simulator-app.ts';
import { faultReply } from './faults.ts';
import { chatRoutes } from './routes/chats.ts';
import { contactRoutes } from './routes/contacts.ts';
import { generateTokenRoutes } from './routes/generate-token.ts';
import { mediaReadRoutes } from './routes/media-read.ts';
import { mediaSendRoutes } from './routes/media-send.ts';
import { messageActionRoutes } from './routes/message-actions.ts';
import { messageRoutes } from './routes/messages.ts';
import { sessionRoutes } from './routes/session.ts';
import { SessionLifecycle } from './session-lifecycle.ts';
import type { SimulatorState } from './state.ts';
import { WebhookSender } from './webhooks.ts';

export type { RegisteredRoute } from '../shared/simulator-app.ts';

export function buildWppConnectApp(
  state: SimulatorState,
  closing: AbortSignal,
): { app: FastifyInstance; routes: RegisteredRoute[]; webhooks: WebhookSender; lifecycle: SessionLifecycle } {
  // The server's express.json() accepts bodies up to 50 MB (media travel as base64).
  const { app, routes } = createSimulatorApp(50 * 1024 * 1024);
  const webhooks = new WebhookSender(state, closing);
  const lifecycle = new SessionLifecycle(state, webhooks);

  installFaultHooks(app, { faults: state.faults, closing, requests: state.requests, replyFor: (status, request) => {
      const { session = '' } = request.params as { session?: string };
      return faultReply(status, session, request.routeOptions.url ?? request.url);
    } });

  // Express's default answer for an unknown path.
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(
        `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${request.method} ${request.url.split('?')[0]}</pre>\n</body>\n</html>\n`,
      ),
  );

  generateTokenRoutes(app, state);
  sessionRoutes(app, state, lifecycle);
  messageRoutes(app, state, webhooks);
  messageActionRoutes(app, state);
  mediaSendRoutes(app, state, webhooks);
  mediaReadRoutes(app, state);
  chatRoutes(app, state);
  contactRoutes(app, state);
  return { app, routes, webhooks, lifecycle };
}
