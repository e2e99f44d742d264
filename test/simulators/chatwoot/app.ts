/**
 * The simulated Chatwoot v4.15.1 as a Fastify app: fault injection first (as if in front
 * of the server), then Rails' body parsing, the API routes behind the token check, and
 * Active Storage. `routes` lists what was registered, for the contract check.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireAccountAccess } from './auth.ts';
import { installFaultHooks } from '../shared/fault-hooks.ts';
import { createSimulatorApp, type RegisteredRoute } from '../shared/simulator-app.ts';
import { faultReply } from './faults.ts';
import { parseMultipart } from './multipart.ts';
import { replyWithRailsError } from './rails-errors.ts';
import { activeStorageRoutes } from './routes/active-storage.ts';
import { contactRoutes } from './routes/contacts.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { labelAndAssignmentRoutes } from './routes/labels-assignments.ts';
import { messageRoutes } from './routes/messages.ts';
import type { StoreContext } from './store-contacts.ts';

export type { RegisteredRoute } from '../shared/simulator-app.ts';

/** Chatwoot's default maximum attachment size is 40 MB; leave room for the multipart overhead. */
const BODY_LIMIT = 50 * 1024 * 1024;

export function buildChatwootApp(ctx: StoreContext, closing: AbortSignal): { app: FastifyInstance; routes: RegisteredRoute[] } {
  const { state } = ctx;
  const { app, routes } = createSimulatorApp(BODY_LIMIT);
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request: FastifyRequest, raw: string | Buffer, done) => {
    parseMultipart(Buffer.from(raw), request.headers['content-type'] ?? '').then(
      (body) => done(null, body),
      (error: unknown) => done(Object.assign(error instanceof Error ? error : new Error(String(error)), { statusCode: 400 }), undefined),
    );
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/api/') || !state.faults.throttled(Date.now())) {
      done();
      return;
    }
    const fault = faultReply(429);
    void reply.code(429).type(fault.contentType).send(fault.body);
  });
  installFaultHooks(app, { faults: state.faults, closing, requests: state.requests, replyFor: (status) => faultReply(status) });

  // Rails' public/404.html for a path no route matches.
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('text/html; charset=utf-8').send("<!DOCTYPE html>\n<html>\n<head>\n<title>The page you were looking for doesn't exist (404)</title>\n</head>\n</html>\n"),
  );
  app.setErrorHandler((error, _request, reply) => replyWithRailsError(reply, error));

  const preHandler = requireAccountAccess(state);
  contactRoutes(app, ctx, preHandler);
  conversationRoutes(app, ctx, preHandler);
  labelAndAssignmentRoutes(app, ctx, preHandler);
  messageRoutes(app, ctx, preHandler);
  activeStorageRoutes(app, state);
  return { app, routes };
}
