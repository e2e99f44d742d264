/**
 * Sorting of Chatwoot failures for Temporal (CONTRACTS.md §1.1): permanent ones become
 * non-retryable `ApplicationFailure`s typed from the shared vocabulary, transient ones
 * stay plain `Error`s so the activity is retried.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';

export interface ApiResponse {
  status: number;
  /** Parsed JSON when the body was JSON, otherwise the raw text. */
  body: unknown;
}

export function isSuccess(response: ApiResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/**
 * The text Chatwoot put in its answer, shortened; never a whole body, never an HTML page.
 * Rails answers `{error}` (auth, not found, could not create), `{message, attributes}`
 * (validation) or `{errors: [...]}` (Devise, no token at all).
 */
export function serverMessage(body: unknown): string | undefined {
  let text: unknown = body;
  if (typeof body === 'object' && body !== null) {
    const fields = body as Record<string, unknown>;
    const firstOfErrors = Array.isArray(fields.errors) ? (fields.errors as unknown[])[0] : undefined;
    text = [fields.message, fields.error, firstOfErrors].find((value) => typeof value === 'string');
  }
  if (typeof text !== 'string' || text.trim() === '' || text.trimStart().startsWith('<')) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}

/** 422 of a uniqueness validation: "Phone number has already been taken, Identifier has already been taken". */
export function isAlreadyTaken(response: ApiResponse): boolean {
  return response.status === 422 && /has already been taken/i.test(serverMessage(response.body) ?? '');
}

/** Chatwoot's rate limit (Rack::Attack's 429): transient, and a caller that paces itself slows down. */
export class ChatwootThrottledError extends Error {
  override readonly name = 'ChatwootThrottledError';
}

export function failureFromResponse(operation: string, response: ApiResponse): Error {
  const { status } = response;
  const message = serverMessage(response.body);
  const text = `Chatwoot ${operation} answered ${status}${message === undefined ? '' : `: ${message}`}`;
  if (status === 429) return new ChatwootThrottledError(text);
  if (status === 408 || status >= 500) return new Error(text);
  // No such account, contact, conversation or message (deleted in Chatwoot, say).
  if (status === 404) return ApplicationFailure.nonRetryable(text, ErrorType.NotFound);
  // 401 bad token, 403 not an API inbox, 422 refused.
  return ApplicationFailure.nonRetryable(text, ErrorType.ExternalServiceRejected);
}
