/**
 * What the three HTTP clients (WPPConnect, Chatwoot, Typebot) say the same way when a call goes
 * wrong: a network failure described by its cause, and a 2xx whose body breaks the contract.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ZodError } from 'zod';
import { ErrorType } from '../../domain/errors.ts';

/** fetch's own message is vague ("fetch failed"); the cause says what happened (ECONNRESET, ECONNREFUSED...). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = [cause?.code, cause?.message].filter((part) => typeof part === 'string' && part !== '').join(': ');
  return detail === '' ? error.message : `${error.message} (${detail})`;
}

/**
 * A 2xx whose body is not what the contract says. Not retried: a send or a create may already
 * have happened, and a version mismatch does not heal by itself.
 */
export function unexpectedResponse(system: string, operation: string, error: ZodError): ApplicationFailure {
  const where = [...new Set(error.issues.map((issue) => issue.path.join('.') || '(body)'))].slice(0, 5).join(', ');
  return ApplicationFailure.nonRetryable(`${system} ${operation} answered with an unexpected body (at ${where})`, ErrorType.ExternalServiceRejected);
}
