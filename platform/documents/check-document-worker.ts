/**
 * Runs in a worker thread of the document-check pool (`document-checks.ts`): the inspection of one
 * uploaded document, so a file that is slow to check stalls this thread, never the API's event loop.
 * A refusal crosses back as data (class instances do not survive the copy) and becomes an
 * `AppError` again on the other side.
 */
import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import secureJson from 'secure-json-parse';
import { AppError, type ErrorType, type FieldErrors } from '../../domain/errors.ts';
import { readIntake, type DocumentKind, type DocumentSource, type RegistrationSubmission } from '../../domain/registration-submission.ts';
import { documentCheckNiceness } from './image-work-priority.ts';
import { inspectDocument, type DocumentLimits, type InspectedDocument } from './inspect-document.ts';

/**
 * This thread runs below normal CPU priority (documentCheckNiceness), so on a busy machine the API's event loop (and the
 * PostgreSQL and Temporal it asks for /health) go first: with two of these threads on two cores,
 * /health once took 340 ms for want of a core, with the event loop itself never held more than ~70 ms.
 * Linux applies a thread id's niceness to that thread alone; elsewhere this changes nothing.
 */
function yieldToTheEventLoop(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId !== process.pid) os.setPriority(threadId, documentCheckNiceness);
  } catch {
    // Not Linux, or not allowed: the checks run at the process's priority.
  }
}
yieldToTheEventLoop();

export interface CheckTask {
  bytes: Uint8Array;
  label: string;
  field: string;
  limits: DocumentLimits;
  /** Told when the check starts running, so its time limit does not count the wait in the queue. */
  started: MessagePort;
  /** The bytes' SHA-256 when the caller has it already (`sha256Of`): not computed again. */
  sha256?: string;
}

export type CheckOutcome =
  | { ok: true; inspected: InspectedDocument; sha256: string }
  | { ok: false; refusal: { type: ErrorType; message: string; fields: FieldErrors } };

export default async function checkDocument(task: CheckTask): Promise<CheckOutcome> {
  task.started.postMessage('started');
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  try {
    const inspected = await inspectDocument(bytes, task.label, task.field, task.limits);
    // Hashed here too: 10 MB is ~20 ms of the event loop saved.
    return { ok: true, inspected, sha256: task.sha256 ?? sha256Of(bytes) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { ok: false, refusal: { type: error.type, message: error.message, fields: error.fields } };
  }
}

/** The bytes' hex SHA-256: what a document is remembered by once it passed (document-checks.ts). */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; reason: 'empty' | 'invalid' | 'too-deep' };

/** A document source as it crosses threads: bytes arrive as a Uint8Array, an address as text. */
export type SentSource = { type: 'base64'; bytes: Uint8Array; declaredMime?: string } | { type: 'url'; url: string } | { type: 'kept' };

/** A submission as it crosses threads. */
export type SentSubmission = Omit<RegistrationSubmission, 'documents'> & { documents: Record<DocumentKind, SentSource> };

/** `readIntake`'s answer made cloneable (a URL object does not survive the copy). */
export type ReadBody =
  | { ok: false; reason: 'empty' | 'invalid' | 'too-deep' }
  | { ok: false; reason: 'not-a-form'; error: string }
  | { ok: true; answers: Record<string, unknown>; submission: { ok: true; value: SentSubmission } | { ok: false; fields: FieldErrors } };

/** Deeper than any form's answer needs; a parsed value this deep could not cross back to the API's thread. */
export const maxJsonDepth = 64;

/**
 * The deepest nesting of `[` and `{` outside strings, in one pass; stops counting past `limit`.
 * A string is skipped to its closing quote with `indexOf` (a document's megabytes of base64 hold no
 * quote): character by character, this pass cost as much as the parse itself.
 */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22) index = closingQuote(text, index);
    else if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return deepest;
}

/** Where the string opened at `open` ends (its unescaped closing quote), or the text's end. */
function closingQuote(text: string, open: number): number {
  for (let quote = text.indexOf('"', open + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return text.length;
}

/**
 * The intake's JSON body parsed here, not on the API's event loop: three documents in base64 make
 * tens of megabytes of text. As Fastify's own parser does, `__proto__` and `constructor.prototype`
 * keys are refused rather than parsed (prototype poisoning).
 */
export function parseJsonBody(bytes: Uint8Array): ParsedBody {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.trim() === '') return { ok: false, reason: 'empty' };
  if (nestingDepth(text, maxJsonDepth) > maxJsonDepth) return { ok: false, reason: 'too-deep' };
  try {
    // Parsed, then its keys walked (secure-json-parse's scan): its parse would first search the
    // megabytes of text for either key, twice, to skip a walk of a few dozen keys.
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object') secureJson.scan(value, { protoAction: 'error', constructorAction: 'error' });
    return { ok: true, value };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}

/** The bytes in shared memory: the API's thread and the next check read them where they are, with no copy. */
function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return copy;
}

/**
 * The intake's body parsed, read as a registration form and its documents decoded, all here: the
 * API's thread then never holds the megabytes of base64 text, only the decoded bytes (in shared memory).
 */
export function readIntakeBody(bytes: Uint8Array): ReadBody {
  const parsed = parseJsonBody(bytes);
  if (!parsed.ok) return parsed;
  const reading = readIntake(parsed.value);
  if (!reading.ok) return { ok: false, reason: 'not-a-form', error: reading.error };
  const { answers, submission } = reading;
  if (!submission.ok) return { ok: true, answers, submission };
  const sent = (source: DocumentSource): SentSource => (source.type === 'base64' ? { ...source, bytes: shared(source.bytes) } : source.type === 'url' ? { type: 'url', url: source.url.href } : source);
  const documents = Object.fromEntries(Object.entries(submission.value.documents).map(([kind, source]) => [kind, sent(source)])) as Record<DocumentKind, SentSource>;
  return { ok: true, answers, submission: { ok: true, value: { ...submission.value, documents } } };
}
