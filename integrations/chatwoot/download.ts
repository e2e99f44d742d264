/**
 * Fetching an attachment's bytes from its `data_url` (CONTRACTS.md §1.7): a Rails Active
 * Storage redirect URL, signed, so no token is sent (the redirect may lead to S3, which
 * must never see it). Only from the allowed hosts (Chatwoot's own and the storage it redirects
 * to), every redirect checked again: a forged `data_url` never makes the bridge read an internal
 * address and send it on WhatsApp. The size limit is enforced while reading, not after.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { downloadAtMost } from '../http/download.ts';
import { failureFromResponse } from './failures.ts';
import type { AttachmentDownloadOptions } from './types.ts';

const OPERATION = 'attachment download';

export async function downloadAttachment(
  fetchImpl: typeof fetch,
  dataUrl: string,
  limits: { maxBytes: number; timeoutMs: number; allowedHosts: readonly string[] },
  options: AttachmentDownloadOptions = {},
): Promise<{ bytes: Buffer; contentType: string }> {
  const { maxBytes } = limits;
  if (!/^https?:\/\//i.test(dataUrl) || !URL.canParse(dataUrl)) {
    throw ApplicationFailure.nonRetryable('an attachment data_url must be an http(s) URL', ErrorType.ValidationFailed);
  }
  const download = await downloadAtMost(fetchImpl, dataUrl, { ...limits, ...options, what: `Chatwoot ${OPERATION}` });
  if (download.status === 'not-allowed') {
    throw ApplicationFailure.nonRetryable(`the attachment was not downloaded: ${download.reason}`, ErrorType.DocumentSourceRefused);
  }
  if (download.status === 'refused') throw failureFromResponse(OPERATION, { status: download.httpStatus, body: undefined });
  if (download.status === 'too-large') {
    throw ApplicationFailure.nonRetryable(`the attachment is larger than ${maxBytes} bytes`, ErrorType.PayloadTooLarge);
  }
  return { bytes: download.bytes, contentType: download.contentType };
}
