import { isGrpcServiceError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Counter } from 'prom-client';
import { AppError, ErrorType } from '../domain/errors.ts';
import { firstFieldToFix } from '../domain/registration-submission.ts';
import { requestErrors } from '../domain/texts/intake.ts';
import { EdgeRefusal, type RefusalReason } from './edge/refusals.ts';
import { HandOffDeadlineError } from './hand-offs/deadline.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Drivers (through Typebot) read errors in pt-PT with `success: false`; operators read English. */
    audience?: 'driver' | 'operator';
  }
}

/** Fastify's own refusals, by error code, as drivers read them. */
const driverTexts: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: requestErrors.invalidJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: requestErrors.emptyBody,
  FST_ERR_CTP_BODY_TOO_LARGE: requestErrors.tooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: requestErrors.notJson,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: requestErrors.wrongLength,
};

/** `campo`: the first field to fix in the form's order, where the registration flow takes the driver back. */
function driverBody(message: string, fields: Record<string, string> = {}) {
  const first = firstFieldToFix(fields);
  return { success: false, error: message, fields, ...(first === undefined ? {} : { campo: first }) };
}

/** A hand-off past its deadline, or gRPC UNAVAILABLE or DEADLINE_EXCEEDED anywhere in the cause chain: Temporal did not answer in time. */
export function isTemporalUnreachable(error: unknown): boolean {
  if (error instanceof HandOffDeadlineError) return true;
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth += 1) {
    if (isGrpcServiceError(cause) && unreachableCodes.has(Number(cause.code))) return true;
  }
  return false;
}

/** gRPC status codes DEADLINE_EXCEEDED (4) and UNAVAILABLE (14). */
const unreachableCodes = new Set([4, 14]);

/** How long a caller should wait after Temporal was unreachable. */
const temporalRetryAfterSeconds = 5;

/**
 * The one error boundary: application errors carry their status, framework errors are mapped,
 * and anything unexpected becomes a sanitised 5xx (details only in the log, with the request id).
 */
export function registerErrorHandler(app: FastifyInstance, refusals?: Counter<'route' | 'reason'>): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const audience = request.routeOptions.config.audience ?? 'operator';
    const refused = (reason: RefusalReason) => refusals?.inc({ route: request.routeOptions.url ?? 'unmatched', reason });
    if (error instanceof EdgeRefusal) {
      refused(error.reason);
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
    }
    if (isTemporalUnreachable(error)) {
      // Nothing was handed off: the caller retries (WPPConnect's lost webhooks are polled; Typebot shows the sentence).
      refused('temporal_unavailable');
      request.log.warn({ err: error }, 'Temporal unreachable; answered 503');
      void reply.header('retry-after', String(temporalRetryAfterSeconds));
      return audience === 'driver'
        ? reply.status(503).send(driverBody(requestErrors.unavailable))
        : reply.status(503).send({ error: 'Temporal is unreachable; retry shortly', type: ErrorType.Unavailable, fields: {} });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') refused('body_too_large');
    if (error instanceof AppError) {
      if (error.status >= 500 && !(error instanceof EdgeRefusal)) request.log.error({ err: error }, 'request failed');
      return audience === 'driver'
        ? reply.status(error.status).send(driverBody(error.message, error.fields))
        : reply.status(error.status).send({ error: error.message, type: error.type, fields: error.fields });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = Object.fromEntries(error.validation.map((issue) => [issue.instancePath.replace(/^\//, '') || 'body', issue.message ?? 'invalid']));
      return audience === 'driver'
        ? reply.status(400).send(driverBody(requestErrors.missingOrInvalid, fields))
        : reply.status(400).send({ error: 'Invalid request', type: ErrorType.MalformedPayload, fields });
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return audience === 'driver'
        ? reply.status(503).send(driverBody(requestErrors.unavailable))
        : reply.status(status).send({ error: 'Internal error', requestId: request.id });
    }
    return audience === 'driver'
      ? reply.status(status).send(driverBody(driverTexts[error.code] ?? requestErrors.notProcessed))
      : reply.status(status).send({ error: error.message });
  });

  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'Not found' }));
}
