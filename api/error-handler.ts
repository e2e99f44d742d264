import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../domain/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Drivers (through Typebot) read errors in pt-PT with `success: false`; operators read English. */
    audience?: 'driver' | 'operator';
  }
}

const driverTexts: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'O pedido não é um JSON válido.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'O pedido chegou vazio.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'O pedido é demasiado grande. Envie ficheiros mais pequenos.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'O pedido tem de ser enviado em JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'O tamanho do pedido não corresponde ao conteúdo enviado.',
};

function driverBody(message: string, fields: Record<string, string> = {}) {
  return { success: false, error: message, fields };
}

/**
 * The one error boundary: application errors carry their status, framework errors are mapped,
 * and anything unexpected becomes a sanitised 5xx (details only in the log, with the request id).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const audience = request.routeOptions.config.audience ?? 'operator';
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      return audience === 'driver'
        ? reply.status(error.status).send(driverBody(error.message, error.fields))
        : reply.status(error.status).send({ error: error.message, type: error.type, fields: error.fields });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = Object.fromEntries(error.validation.map((issue) => [issue.instancePath.replace(/^\//, '') || 'body', issue.message ?? 'invalid']));
      return audience === 'driver'
        ? reply.status(400).send(driverBody('O pedido tem dados em falta ou inválidos.', fields))
        : reply.status(400).send({ error: 'Invalid request', type: ErrorType.MalformedPayload, fields });
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return audience === 'driver'
        ? reply.status(503).send(driverBody('O serviço está temporariamente indisponível. Tente novamente dentro de alguns minutos.'))
        : reply.status(status).send({ error: 'Internal error', requestId: request.id });
    }
    return audience === 'driver'
      ? reply.status(status).send(driverBody(driverTexts[error.code] ?? 'O pedido não pôde ser processado.'))
      : reply.status(status).send({ error: error.message });
  });

  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'Not found' }));
}
