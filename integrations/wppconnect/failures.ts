/**
 * Sorting of WPPConnect failures for Temporal: permanent ones become non-retryable
 * `ApplicationFailure`s typed from the shared vocabulary, transient ones stay plain
 * `Error`s so the activity is retried.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ZodType } from 'zod';
import { ErrorType } from '../../domain/errors.ts';
import { unexpectedResponse } from '../http/failures.ts';

export interface ApiResponse {
  status: number;
  /** Parsed JSON when the body was JSON, otherwise the raw text. */
  body: unknown;
}

/** 404 body of the statusConnection middleware: the phone is offline, it will come back. */
export const SESSION_INACTIVE = 'A sessão do WhatsApp não está ativa.';
const FILE_MISSING = 'Sending the file is mandatory';
/** 400 bodies of download-media. */
const MESSAGE_NOT_FOUND = 'Message not found';
const NO_MEDIA = 'Message does not contain media';
/** 400 of download-media both for an id WhatsApp does not know and for a passing decryption failure (CONTRACTS.md §2.2). */
export const DECRYPT_FAILED = 'Decrypt file error';
/** 400 body of the statusConnection middleware when checkNumberStatus says no. */
const UNKNOWN_NUMBER = /^O número \S+ não existe\.$/;

/** The text the server put in its answer, shortened; never the whole body. */
export function serverMessage(body: unknown): string | undefined {
  let text: unknown = body;
  if (typeof body === 'object' && body !== null) {
    const fields = body as Record<string, unknown>;
    text = [fields.message, fields.error, fields.response].find((value) => typeof value === 'string');
  }
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}

/**
 * get-messages answers 401 `{status: "error", response: "Error on open list"}` when
 * wa-js cannot open the chat (no such chat on this phone). It is not an auth failure.
 */
export function isOpenListFailure(response: ApiResponse): boolean {
  const body = response.body as { status?: unknown; response?: unknown } | null;
  return response.status === 401 && typeof body === 'object' && body?.response === 'Error on open list';
}

/**
 * A 401 from the auth middleware (missing or wrong token), as opposed to the
 * controllers' own 401s: "Error on open list" and sendFile's "Sending the file is mandatory".
 */
export function isAuthRejection(response: ApiResponse): boolean {
  return response.status === 401 && !isOpenListFailure(response) && serverMessage(response.body) !== FILE_MISSING;
}

export function isSuccess(response: ApiResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

export function failureFromResponse(operation: string, response: ApiResponse): Error {
  const { status } = response;
  const message = serverMessage(response.body);
  // The server names the recipient's number: never into a failure message, which is logged.
  const shown = message?.replace(/^O número \S+ não existe\.$/, 'O número … não existe.');
  const text = `WPPConnect ${operation} answered ${status}${shown === undefined ? '' : `: ${shown}`}`;
  if (status === 400 && message !== undefined && UNKNOWN_NUMBER.test(message)) {
    return ApplicationFailure.nonRetryable(text, ErrorType.WhatsAppRecipientUnknown);
  }
  if (status === 400 && message === MESSAGE_NOT_FOUND) return ApplicationFailure.nonRetryable(text, ErrorType.NotFound);
  if (status === 400 && message === NO_MEDIA) return ApplicationFailure.nonRetryable(text, ErrorType.ValidationFailed);
  // Not retried by Temporal: the caller tries a few times itself, then tells the agent (the id may be unknown for good).
  if (status === 400 && message === DECRYPT_FAILED) return ApplicationFailure.nonRetryable(text, ErrorType.DocumentUnreadable);
  if (status === 404 && message === SESSION_INACTIVE) return new Error(text);
  if (status === 408 || status === 429 || status >= 500) return new Error(text);
  // Remaining 4xx: bad request, wrong secret, rejected token after a refresh, unknown route.
  return ApplicationFailure.nonRetryable(text, ErrorType.ExternalServiceRejected);
}

/** The parsed body of a 2xx answer, or the sorted failure. */
export function expectBody<T>(operation: string, response: ApiResponse, schema: ZodType<T>): T {
  if (!isSuccess(response)) throw failureFromResponse(operation, response);
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) throw unexpectedResponse('WPPConnect', operation, parsed.error);
  return parsed.data;
}
