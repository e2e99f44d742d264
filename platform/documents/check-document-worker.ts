/**
 * Runs in a worker thread of the document-check pool (`document-checks.ts`): the inspection of one
 * uploaded document, so a file that is slow to check stalls this thread, never the API's event loop.
 * A refusal crosses back as data (class instances do not survive the copy) and becomes an
 * `AppError` again on the other side.
 */
import { createHash } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import { AppError, type ErrorType, type FieldErrors } from '../../domain/errors.ts';
import { inspectDocument, type DocumentLimits, type InspectedDocument } from './inspect-document.ts';

export interface CheckTask {
  bytes: Uint8Array;
  label: string;
  field: string;
  limits: DocumentLimits;
  /** Told when the check starts running, so its time limit does not count the wait in the queue. */
  started: MessagePort;
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
    return { ok: true, inspected, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { ok: false, refusal: { type: error.type, message: error.message, fields: error.fields } };
  }
}
