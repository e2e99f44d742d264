/**
 * Errors as the viewer's oRPC handler answers them: `{defined, code, status, message, data?}`.
 * Every status the Chat API declares in viewer.json (400, 401, 403, 404, 500) comes out
 * `defined: true`: oRPC matches a thrown error's code against the route's error map.
 */
import type { FastifyReply } from 'fastify';

export type ApiErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';

const statusOf: Record<ApiErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INTERNAL_SERVER_ERROR: 500,
};

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.status = statusOf[code];
  }

  toJSON(): Record<string, unknown> {
    return { defined: true, code: this.code, status: this.status, message: this.message, ...(this.data === undefined ? {} : { data: this.data }) };
  }
}

export const sessionNotFound = () => new ApiError('NOT_FOUND', 'Session not found.');
export const sessionExpired = () => new ApiError('NOT_FOUND', 'Session expired. You need to start a new session.');
export const typebotNotFound = () => new ApiError('NOT_FOUND', 'Typebot not found');
export const internalError = () => new ApiError('INTERNAL_SERVER_ERROR', 'Internal server error');

/** A body that does not fit the route's input schema; issues as Standard Schema reports them. */
export const inputValidationFailed = (issues: Array<{ message: string; path: PropertyKey[] }>) =>
  new ApiError('BAD_REQUEST', 'Input validation failed', { issues: issues.map(({ message, path }) => ({ message, path: path.map(String) })) });

export function replyWithApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.status).type('application/json').send(JSON.stringify(error.toJSON()));
}
