/**
 * Sorting of Typebot failures for Temporal (CONTRACTS.md §3.2): a session Typebot no longer
 * knows is the non-retryable `TypebotSessionGone` the workflow branches on; other permanent
 * failures are non-retryable `ApplicationFailure`s typed from the shared vocabulary; transient
 * ones (408, 429, 5xx, no answer) stay plain `Error`s so the activity is retried.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { orpcError } from './schemas.ts';

export interface ApiResponse {
  status: number;
  /** Parsed JSON when the body was JSON, otherwise the raw text. */
  body: unknown;
}

export function isSuccess(response: ApiResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

const shorten = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
};

/** The oRPC error's code and message, when the body is one (a proxy's HTML page is not). */
export function typebotError(body: unknown): { code: string; message: string } | undefined {
  const parsed = orpcError.safeParse(body);
  return parsed.success ? { code: parsed.data.code, message: shorten(parsed.data.message) } : undefined;
}

/**
 * "Session not found." / "Session expired. You need to start a new session." (404 from
 * continueChat), "Can't find session" (400 from generate-upload-url).
 */
const SESSION_GONE = /^(session not found|session expired|can't find session)\b/i;

export function failureFromResponse(operation: string, response: ApiResponse): Error {
  const { status } = response;
  const error = typebotError(response.body);
  const text = `Typebot ${operation} answered ${status}${error === undefined ? '' : ` ${error.code}: ${error.message}`}`;
  if (status === 408 || status === 429 || status >= 500) return new Error(text);
  if ((status === 404 || status === 400) && error !== undefined && SESSION_GONE.test(error.message)) {
    return ApplicationFailure.nonRetryable(text, ErrorType.TypebotSessionGone);
  }
  if (status === 400 && error !== undefined && /file size exceeds/i.test(error.message)) {
    return ApplicationFailure.nonRetryable(text, ErrorType.PayloadTooLarge);
  }
  if (status === 400 && error !== undefined && /file type .* not allowed/i.test(error.message)) {
    return ApplicationFailure.nonRetryable(text, ErrorType.UnsupportedMediaType);
  }
  // No such published bot (startChat 404), a refused body, a forbidden origin, a wrong base URL.
  return ApplicationFailure.nonRetryable(text, ErrorType.ExternalServiceRejected);
}

/** The S3 error code of an XML answer: `<Error><Code>EntityTooLarge</Code>...`. */
function s3ErrorCode(body: unknown): string | undefined {
  return typeof body === 'string' ? /<Code>([^<]+)<\/Code>/.exec(body)?.[1] : undefined;
}

/** The storage's answer to an upload: an expired or refused policy does not heal by retrying it. */
export function uploadFailure(response: ApiResponse): Error {
  const code = s3ErrorCode(response.body);
  const text = `Typebot file upload answered ${response.status}${code === undefined ? '' : `: ${code}`}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) return new Error(text);
  if (code === 'EntityTooLarge') return ApplicationFailure.nonRetryable(text, ErrorType.PayloadTooLarge);
  return ApplicationFailure.nonRetryable(text, ErrorType.ExternalServiceRejected);
}
