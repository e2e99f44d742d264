import { AppError, ErrorType } from '../../domain/errors.ts';
import { documentDownloadErrors } from '../../domain/texts/documents.ts';
import { tooLarge } from '../../platform/documents/document-errors.ts';
import { readBodyAtMost } from '../../integrations/http/read-body-at-most.ts';
import { isHostAllowed, maxRedirects } from '../../integrations/http/allowed-hosts.ts';

export interface FetchLimits {
  allowedHosts: string[];
  maxBytes: number;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Downloads a document from a URL the driver (or Typebot's file input) gave us, only from
 * allow-listed hosts, following at most a few redirects (each re-checked), within a time and
 * size limit. Anything else is refused before a connection is made: no SSRF.
 */
export async function fetchDocument(url: URL, label: string, field: string, limits: FetchLimits): Promise<Buffer> {
  const refuse = (type: ErrorType, message: string): never => {
    throw new AppError(type, message, { [field]: message });
  };
  const doFetch = limits.fetch ?? fetch;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  for (let hop = 0; hop <= maxRedirects; hop += 1) {
    if (current.protocol !== 'https:' && current.protocol !== 'http:') refuse(ErrorType.DocumentSourceRefused, documentDownloadErrors.addressNotAllowed(label));
    if (current.username !== '' || current.password !== '' || !isHostAllowed(current.hostname, limits.allowedHosts)) {
      refuse(ErrorType.DocumentSourceRefused, documentDownloadErrors.originNotAllowed(label));
    }
    let response: Response;
    try {
      response = await doFetch(current, { redirect: 'manual', signal, headers: { accept: '*/*' } });
    } catch {
      return refuse(ErrorType.DocumentUnreadable, documentDownloadErrors.downloadFailed(label));
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel();
      current = new URL(response.headers.get('location')!, current);
      continue;
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      return refuse(ErrorType.DocumentUnreadable, documentDownloadErrors.downloadFailed(label));
    }
    return readLimited(response, label, field, limits.maxBytes);
  }
  return refuse(ErrorType.DocumentSourceRefused, documentDownloadErrors.tooManyRedirects(label));
}

async function readLimited(response: Response, label: string, field: string, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(label, field, declared, maxBytes);
  }
  let bytes: Buffer | null;
  try {
    bytes = await readBodyAtMost(response, maxBytes);
  } catch {
    const message = documentDownloadErrors.tooSlow(label);
    throw new AppError(ErrorType.DocumentUnreadable, message, { [field]: message });
  }
  if (bytes === null) throw tooLarge(label, field, maxBytes + 1, maxBytes);
  return bytes;
}
