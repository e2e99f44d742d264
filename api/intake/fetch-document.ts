import { AppError, ErrorType } from '../../domain/errors.ts';
import { documentDownloadErrors } from '../../domain/texts/documents.ts';
import { tooLarge } from '../../platform/documents/document-errors.ts';
import { DownloadFailed, downloadAtMost } from '../../integrations/http/download.ts';

export interface FetchLimits {
  allowedHosts: string[];
  maxBytes: number;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Downloads a document from a URL the driver (or Typebot's file input) gave us, with the one
 * download every file goes through (`integrations/http`: allow-listed hosts, every redirect checked
 * again, size and time limits while reading), and tells the driver in pt-PT what went wrong.
 */
export async function fetchDocument(url: URL, label: string, field: string, limits: FetchLimits): Promise<Buffer> {
  const refuse = (type: ErrorType, message: string): never => {
    throw new AppError(type, message, { [field]: message });
  };
  let download: Awaited<ReturnType<typeof downloadAtMost>>;
  try {
    download = await downloadAtMost(limits.fetch ?? fetch, url.href, { maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs, what: 'document download', allowedHosts: limits.allowedHosts });
  } catch (error) {
    if (!(error instanceof DownloadFailed)) throw error;
    return refuse(ErrorType.DocumentUnreadable, error.timedOut ? documentDownloadErrors.tooSlow(label) : documentDownloadErrors.downloadFailed(label));
  }
  switch (download.status) {
    case 'ok':
      return download.bytes;
    case 'too-large':
      throw tooLarge(label, field, download.declaredBytes ?? limits.maxBytes + 1, limits.maxBytes);
    case 'refused':
      return refuse(ErrorType.DocumentUnreadable, documentDownloadErrors.downloadFailed(label));
    case 'not-allowed': {
      const messages = { address: documentDownloadErrors.addressNotAllowed, origin: documentDownloadErrors.originNotAllowed, redirects: documentDownloadErrors.tooManyRedirects };
      return refuse(ErrorType.DocumentSourceRefused, messages[download.why](label));
    }
  }
}
