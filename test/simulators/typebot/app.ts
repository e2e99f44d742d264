/**
 * The simulated Typebot viewer (Chat API) and its upload bucket as one Fastify app:
 * fault injection first (as if in front of both), then the routes, and one error boundary
 * answering as the viewer's oRPC handler does. `routes` lists what was registered, for
 * the contract check.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { installFaultHooks } from '../shared/fault-hooks.ts';
import { createSimulatorApp, type RegisteredRoute } from '../shared/simulator-app.ts';
import { ApiError, internalError, replyWithApiError } from './api-errors.ts';
import { faultReply } from './faults.ts';
import { chatRoutes } from './routes/chat-routes.ts';
import { uploadRoutes } from './routes/upload-routes.ts';
import type { SimulatorState } from './state.ts';

export type { RegisteredRoute } from '../shared/simulator-app.ts';

/** Next.js' default body limit for API routes. */
const BODY_LIMIT = 1024 * 1024;

export function buildTypebotApp(state: SimulatorState, closing: AbortSignal): { app: FastifyInstance; routes: RegisteredRoute[] } {
  const { app, routes } = createSimulatorApp(BODY_LIMIT);
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request: FastifyRequest, raw: string | Buffer, done) => done(null, raw));
  const bucketPrefix = `/${state.config.bucket}`;
  installFaultHooks(app, {
    faults: state.faults,
    closing,
    requests: state.requests,
    replyFor: (status, request) => {
      const path = request.url.split('?')[0] ?? '';
      return faultReply(status, { bucketRoute: path === bucketPrefix || path.startsWith(`${bucketPrefix}/`), path });
    },
  });

  // Next.js' answer for a path no route serves.
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('text/html; charset=utf-8').send('<!DOCTYPE html><html><head><title>404: This page could not be found.</title></head><body>404</body></html>'),
  );
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiError) return replyWithApiError(reply, error);
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 400 || status === 415) return replyWithApiError(reply, new ApiError('BAD_REQUEST', 'Malformed request body'));
    if (status === 413) return reply.code(413).type('text/plain').send('Body exceeded 1mb limit');
    return replyWithApiError(reply, internalError());
  });

  chatRoutes(app, state);
  uploadRoutes(app, state);
  return { app, routes };
}
