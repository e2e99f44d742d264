/**
 * Fetching a file by URL for the clients and activities that pass files on (Chatwoot attachments,
 * the bot's pictures): only from allowed hosts, redirects followed by hand with every hop checked
 * again, within a size limit enforced while reading and a time limit. A network failure or
 * timeout is a plain (retryable) error naming `what`; everything else is an answer.
 */
import { refusedSource, maxRedirects } from './allowed-hosts.ts';
import { describeNetworkError } from './failures.ts';
import { readBodyAtMost } from './read-body-at-most.ts';

export type Download =
  | { status: 'ok'; bytes: Buffer; contentType: string }
  /** `declaredBytes`: the length the server announced, when it announced one over the limit. */
  | { status: 'too-large'; declaredBytes?: number }
  | { status: 'refused'; httpStatus: number }
  /**
   * Not fetched: the address (or a redirect's) is not an allowed source (`address`: not an http(s)
   * URL; `origin`: a host not listed, or credentials in the address), or redirects went on too long.
   */
  | { status: 'not-allowed'; why: 'address' | 'origin' | 'redirects'; reason: string };

/** A download that failed on the way (network, time limit): retryable; `timedOut` when the time limit cut it. */
export class DownloadFailed extends Error {
  constructor(message: string, readonly timedOut: boolean) {
    super(message);
    this.name = 'DownloadFailed';
  }
}

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  what: string;
  /** Hosts files may come from (`isHostAllowed` syntax), the first address and every redirect. */
  allowedHosts: readonly string[];
  /** Called as bytes arrive (and while waiting for them), so an activity can heartbeat through a long download. */
  onProgress?: () => void;
  /** Abandons the download (an activity cancelled or timed out). */
  signal?: AbortSignal;
}

/** How often a download still waiting for bytes says it is alive. */
const progressEveryMs = 5_000;

export async function downloadAtMost(fetchImpl: typeof fetch, url: string, limits: DownloadLimits): Promise<Download> {
  const fail = (error: unknown): Error => {
    if (timeout.aborted || (error instanceof Error && error.name === 'TimeoutError')) return new DownloadFailed(`${limits.what} timed out after ${limits.timeoutMs} ms`, true);
    return new DownloadFailed(`${limits.what} failed: ${describeNetworkError(error)}`, false);
  };
  if (!URL.canParse(url)) return { status: 'not-allowed', why: 'address', reason: 'the address is not a URL' };
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal === undefined ? timeout : AbortSignal.any([timeout, limits.signal]);
  const alive = limits.onProgress === undefined ? undefined : setInterval(limits.onProgress, progressEveryMs);
  try {
    let current = new URL(url);
    for (let hop = 0; hop <= maxRedirects; hop += 1) {
      const refusal = refusedSource(current, limits.allowedHosts);
      if (refusal !== null) return { status: 'not-allowed', why: refusal.why, reason: hop === 0 ? refusal.reason : `a redirect led elsewhere: ${refusal.reason}` };
      const response = await fetchImpl(current.href, { redirect: 'manual', signal }).catch((error: unknown) => {
        throw fail(error);
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        if (!URL.canParse(location, current.href)) return { status: 'not-allowed', why: 'address', reason: 'a redirect to something that is not a URL' };
        current = new URL(location, current);
        continue;
      }
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (!response.ok || declared > limits.maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        return response.ok ? { status: 'too-large', declaredBytes: declared } : { status: 'refused', httpStatus: response.status };
      }
      const bytes = await readBodyAtMost(response, limits.maxBytes, limits.onProgress).catch((error: unknown) => {
        throw fail(error);
      });
      if (bytes === null) return { status: 'too-large' };
      const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
      return { status: 'ok', bytes, contentType };
    }
    return { status: 'not-allowed', why: 'redirects', reason: `more than ${maxRedirects} redirects` };
  } finally {
    if (alive !== undefined) clearInterval(alive);
  }
}
