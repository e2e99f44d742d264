import { AppError, ErrorType, type FieldErrors } from '../../domain/errors.ts';
import {
  documentFieldOf, documentKinds, documentLabel, summarizeFieldErrors,
  type DocumentKind, type DocumentSource,
} from '../../domain/registration-submission.ts';
import type { Config } from '../../platform/config.ts';
import type { DocumentChecks } from '../../platform/documents/document-checks.ts';
import type { DocumentLimits, DocumentMime } from '../../platform/documents/inspect-document.ts';
import { tooLarge, typeMismatch } from '../../platform/documents/document-errors.ts';
import { documentSourceErrors } from '../../domain/texts/documents.ts';
import { fetchDocument, type FetchLimits } from './fetch-document.ts';

export interface ResolvedDocument {
  kind: DocumentKind;
  bytes: Buffer;
  mime: DocumentMime;
  sha256: string;
}

/** A document the submission keeps (a correction that does not redo it): the registration's current file, looked up once the registration is known. */
export interface KeptDocument {
  kind: DocumentKind;
  kept: true;
}

export type SubmittedDocument = ResolvedDocument | KeptDocument;
export const isKept = (doc: SubmittedDocument): doc is KeptDocument => 'kept' in doc;

export type ResolveLimits = DocumentLimits & Omit<FetchLimits, 'maxBytes'>;

async function bytesOf(source: DocumentSource, kind: DocumentKind, limits: ResolveLimits): Promise<Buffer> {
  const label = documentLabel(kind);
  const field = documentFieldOf[kind];
  if (source.type === 'url') return fetchDocument(source.url, label, field, limits);
  // Keeping a file is no file to check (only a whole correction may keep one).
  if (source.type === 'kept') throw new AppError(ErrorType.ValidationFailed, documentSourceErrors.invalid(label), { [field]: documentSourceErrors.invalid(label) });
  if (source.bytes.length > limits.maxBytes) throw tooLarge(label, field, source.bytes.length, limits.maxBytes);
  return source.bytes;
}

const mimeAliases: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'image/heif': 'image/heic' };
const canonicalMime = (mime: string) => {
  const base = mime.split(';')[0]!.trim().toLowerCase();
  return mimeAliases[base] ?? base;
};

/** The limits from the configuration: one size, pixel, host and time budget for the intake and each answer checked alone. */
export function resolveLimitsOf(
  config: Pick<Config, 'DOCUMENT_MAX_MB' | 'DOCUMENT_MAX_MEGAPIXELS' | 'DOCUMENT_URL_ALLOWED_HOSTS' | 'DOCUMENT_URL_TIMEOUT'>, fetch?: typeof globalThis.fetch,
): ResolveLimits {
  return {
    maxBytes: config.DOCUMENT_MAX_MB,
    maxPixels: Math.round(config.DOCUMENT_MAX_MEGAPIXELS * 1_000_000),
    allowedHosts: config.DOCUMENT_URL_ALLOWED_HOSTS,
    timeoutMs: config.DOCUMENT_URL_TIMEOUT,
    ...(fetch === undefined ? {} : { fetch }),
  };
}

/** One document decoded or downloaded, then checked; its refusal is an `AppError` naming its field. */
export async function resolveDocument(
  source: DocumentSource, kind: DocumentKind, checks: DocumentChecks, limits: ResolveLimits,
): Promise<ResolvedDocument> {
  const bytes = await bytesOf(source, kind, limits);
  const inspected = await checks.inspect(bytes, documentLabel(kind), documentFieldOf[kind], limits);
  // The content decides the type; a declaration that contradicts it means a wrong or tampered file.
  if (source.type === 'base64' && source.declaredMime !== undefined && canonicalMime(source.declaredMime) !== inspected.mime) {
    throw typeMismatch(documentLabel(kind), documentFieldOf[kind], source.declaredMime, inspected.mime);
  }
  return { kind, bytes, mime: inspected.mime, sha256: inspected.sha256 };
}

/**
 * Turns the three document sources into checked bytes (a kept one stays a placeholder): decoded or downloaded, typed by their
 * magic bytes, within the size limit, images decoded once to prove they are images (in `checks`'
 * worker threads, within their time limit). Every problem of every document is reported together,
 * in pt-PT, with no side effect.
 */
export async function resolveDocuments(
  sources: Record<DocumentKind, DocumentSource>, checks: DocumentChecks, limits: ResolveLimits,
): Promise<SubmittedDocument[]> {
  const resolve = async (kind: DocumentKind): Promise<SubmittedDocument> => (sources[kind].type === 'kept' ? { kind, kept: true } : resolveDocument(sources[kind], kind, checks, limits));
  const settled = await Promise.allSettled(documentKinds.map(resolve));
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length === 0) {
    return settled.map((result) => (result as PromiseFulfilledResult<SubmittedDocument>).value);
  }
  const unexpected = failures.find((failure) => !(failure instanceof AppError));
  if (unexpected !== undefined) throw unexpected instanceof Error ? unexpected : new Error('Document could not be resolved', { cause: unexpected });
  const appErrors = failures as AppError[];
  const fields: FieldErrors = {};
  for (const failure of appErrors) Object.assign(fields, failure.fields);
  // The most telling status wins: too large, then wrong type, then unreadable or refused.
  const rank = (type: ErrorType) => [ErrorType.PayloadTooLarge, ErrorType.UnsupportedMediaType, type].indexOf(type);
  const lead = [...appErrors].sort((a, b) => rank(a.type) - rank(b.type))[0]!;
  throw new AppError(lead.type, appErrors.length === 1 ? lead.message : summarizeFieldErrors(fields), fields);
}
