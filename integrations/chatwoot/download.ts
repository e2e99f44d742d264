/**
 * Fetching an attachment's bytes from its `data_url` (CONTRACTS.md §1.7): a Rails Active
 * Storage redirect URL, signed, so no token is sent (the redirect may lead to S3, which
 * must never see it). The size limit is enforced while reading, not after.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { failureFromResponse } from './failures.ts';
import { describeNetworkError } from '../http/failures.ts';
import { readBodyAtMost } from '../http/read-body-at-most.ts';

const OPERATION = 'attachment download';

export async function downloadAttachment(
  fetchImpl: typeof fetch,
  dataUrl: string,
  maxBytes: number,
  timeoutMs: number,
): Promise<{ bytes: Buffer; contentType: string }> {
  if (!/^https?:\/\//i.test(dataUrl) || !URL.canParse(dataUrl)) {
    throw ApplicationFailure.nonRetryable('an attachment data_url must be an http(s) URL', ErrorType.ValidationFailed);
  }
  const fail = (error: unknown): Error => {
    if (error instanceof ApplicationFailure) return error;
    if (error instanceof Error && error.name === 'TimeoutError') return new Error(`Chatwoot ${OPERATION} timed out after ${timeoutMs} ms`);
    return new Error(`Chatwoot ${OPERATION} failed: ${describeNetworkError(error)}`);
  };
  const response = await fetchImpl(dataUrl, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
    throw fail(error);
  });
  if (!response.ok || Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw response.ok ? tooLarge(maxBytes) : failureFromResponse(OPERATION, { status: response.status, body: undefined });
  }
  const bytes = await readBodyAtMost(response, maxBytes).catch((error: unknown) => {
    throw fail(error);
  });
  if (bytes === null) throw tooLarge(maxBytes);
  const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  return { bytes, contentType };
}

function tooLarge(maxBytes: number): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`the attachment is larger than ${maxBytes} bytes`, ErrorType.PayloadTooLarge);
}
