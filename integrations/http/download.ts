/**
 * Fetching a file by URL within a size limit and a time limit, for the clients and activities
 * that pass files on (Chatwoot attachments, the bot's pictures). The limit is enforced while
 * reading, not after; a network failure or timeout is a plain (retryable) error naming `what`.
 */
import { describeNetworkError } from './failures.ts';
import { readBodyAtMost } from './read-body-at-most.ts';

export type Download =
  | { status: 'ok'; bytes: Buffer; contentType: string }
  | { status: 'too-large' }
  | { status: 'refused'; httpStatus: number };

export async function downloadAtMost(
  fetchImpl: typeof fetch,
  url: string,
  limits: { maxBytes: number; timeoutMs: number; what: string },
): Promise<Download> {
  const fail = (error: unknown): Error => {
    if (error instanceof Error && error.name === 'TimeoutError') return new Error(`${limits.what} timed out after ${limits.timeoutMs} ms`);
    return new Error(`${limits.what} failed: ${describeNetworkError(error)}`);
  };
  const response = await fetchImpl(url, { redirect: 'follow', signal: AbortSignal.timeout(limits.timeoutMs) }).catch((error: unknown) => {
    throw fail(error);
  });
  if (!response.ok || Number(response.headers.get('content-length') ?? 0) > limits.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return response.ok ? { status: 'too-large' } : { status: 'refused', httpStatus: response.status };
  }
  const bytes = await readBodyAtMost(response, limits.maxBytes).catch((error: unknown) => {
    throw fail(error);
  });
  if (bytes === null) return { status: 'too-large' };
  const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  return { status: 'ok', bytes, contentType };
}
