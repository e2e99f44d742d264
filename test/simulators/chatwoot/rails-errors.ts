/**
 * The error answers Chatwoot's Rails controllers give (CONTRACTS.md §1.1), and the
 * exceptions the store throws to produce them, as Rails' rescue handlers do.
 */
import type { FastifyReply } from 'fastify';

/** ActiveRecord::RecordNotFound → 404 through the controllers' exception handler. */
export class RecordNotFound extends Error {}

/** ActiveRecord::RecordInvalid → 422 `{message: full_messages.join(', '), attributes}`. */
export class RecordInvalid extends Error {
  constructor(readonly messages: string[], readonly attributes: string[]) {
    super(messages.join(', '));
  }
}

/** render_could_not_create_error → 422 `{error}` (ParameterMissing, builder failures). */
export class CouldNotCreate extends Error {}

/** ActiveRecord::RecordNotUnique that nothing rescues → Rails' generic 500. */
export class RecordNotUnique extends Error {}

export const NOT_FOUND = { error: 'Resource could not be found' };
export const INVALID_TOKEN = { error: 'Invalid Access Token' };
/** Devise when no token and no session are presented at all. */
export const SIGN_IN_FIRST = { errors: ['You need to sign in or sign up before continuing.'] };
export const INTERNAL_ERROR = { status: 500, error: 'Internal Server Error' };
export const BAD_REQUEST = { status: 400, error: 'Bad Request' };

/** Answers the error as Rails would; anything unknown is a 500 with Rails' generic body. */
export function replyWithRailsError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof RecordNotFound) return reply.code(404).send(NOT_FOUND);
  if (error instanceof RecordInvalid) return reply.code(422).send({ message: error.message, attributes: error.attributes });
  if (error instanceof CouldNotCreate) return reply.code(422).send({ error: error.message });
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 400 || status === 415) return reply.code(400).send(BAD_REQUEST);
  if (status === 413) return reply.code(413).type('text/html').send('<html><head><title>413 Request Entity Too Large</title></head></html>\r\n');
  return reply.code(500).send(INTERNAL_ERROR);
}
