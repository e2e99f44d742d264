/**
 * The inspection of uploaded documents (`inspectDocument`: type by magic bytes, PDF structure, image
 * decode) off the event loop, in a pool of worker threads, with a time limit per file. A check that
 * runs out of time is stopped (its thread is terminated) and the file refused with a pt-PT 422, so
 * a crafted file costs at most one thread for `timeoutMs` and `/health`, webhooks and reviewers keep
 * their answers meanwhile.
 *
 * The worker file is TypeScript: its threads inherit `process.execArgv`, where `tsx` (how every
 * entry point runs, the Docker image included) has registered its loader.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { AppError, ErrorType } from '../../domain/errors.ts';
import type { CheckOutcome, CheckTask, ReadBody, SentSource } from './check-document-worker.ts';
import type { DocumentKind, DocumentSource, IntakeReading } from '../../domain/registration-submission.ts';
import { requestErrors } from '../../domain/texts/intake.ts';
import { checkTimedOut } from './document-errors.ts';
import type { DocumentLimits, InspectedDocument } from './inspect-document.ts';
import { moduleBeside } from '../module-path.ts';

/** `readIntake` (domain) of a body that is a form: its answers and its parsed submission. */
export type ReadIntake = Exclude<IntakeReading, { ok: false }>;

/** A document source back on this thread: bytes as a Buffer again, an address as a URL. */
const received = (source: SentSource): DocumentSource => {
  if (source.type === 'url') return { type: 'url', url: new URL(source.url) };
  if (source.type === 'kept') return source;
  return { ...source, bytes: Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength) };
};

/** What `inspectDocument` tells, and the bytes' hex SHA-256. */
export type CheckedDocument = InspectedDocument & { sha256: string };

export interface DocumentChecks {
  /** `inspectDocument` in a worker thread; its refusals are the same `AppError`s, plus a time-out. */
  inspect(bytes: Buffer, label: string, field: string, limits: DocumentLimits): Promise<CheckedDocument>;
  /**
   * An intake body parsed as JSON, read as a registration form and its documents decoded, in a
   * worker thread; a body that is not JSON or not a form's shape is a pt-PT 400.
   */
  readIntake(bytes: Buffer): Promise<ReadIntake>;
  /** Stops the threads; checks still running are refused. */
  close(): Promise<void>;
  /** Files checked in full, and files whose bytes had passed already (the answer check, then the submission). */
  counts(): { checked: number; remembered: number };
}

export interface DocumentCheckOptions {
  threads: number;
  /** Running time allowed to one file, from when a thread picks it up. */
  timeoutMs: number;
}

/** An idle thread is kept this long: starting one loads tsx, sharp and file-type again. */
const idleTimeoutMs = 5 * 60_000;

/**
 * Files that passed, by content: a document the flow checked as the driver sent it is not checked
 * again when the registration is submitted with the same bytes. Only passes are kept (a refusal's
 * sentence names the field it came in); the oldest go first past this many.
 */
const rememberedMax = 1000;

export function createDocumentChecks({ threads, timeoutMs }: DocumentCheckOptions): DocumentChecks {
  const pool = new Piscina<CheckTask | Uint8Array, CheckOutcome | ReadBody | string>({
    filename: moduleBeside(import.meta.url, './check-document-worker').href,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: idleTimeoutMs,
  });

  /** `inspectDocument` in a thread, within its time limit. */
  async function inspectOnce(bytes: Buffer, label: string, field: string, limits: DocumentLimits, sha256: string): Promise<CheckedDocument> {
    const { port1: started, port2 } = new MessageChannel();
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // Two channels, no order between them: the result may be handled before this.
    started.once('message', () => {
      if (!settled) timer = setTimeout(() => deadline.abort(), timeoutMs);
    });
    try {
      const task: CheckTask = { bytes, label, field, limits, started: port2, sha256 };
      const outcome = (await pool.run(task, { transferList: [port2], signal: deadline.signal })) as CheckOutcome;
      if (outcome.ok) return { ...outcome.inspected, sha256: outcome.sha256 };
      const { type, message, fields } = outcome.refusal;
      throw new AppError(type, message, fields);
    } catch (error) {
      if (deadline.signal.aborted) throw checkTimedOut(label, field);
      throw error;
    } finally {
      settled = true;
      clearTimeout(timer);
      started.close();
    }
  }

  const passed = new Map<string, CheckedDocument>();
  let checked = 0;
  let remembered = 0;

  return {
    async inspect(bytes, label, field, limits) {
      // Hashed in a thread too (10 MB is ~20 ms of the event loop); a body read into shared memory is not even copied.
      const sha256 = (await pool.run(bytes, { name: 'sha256Of' })) as string;
      const key = `${sha256}:${limits.maxBytes}:${limits.maxPixels}`;
      const known = passed.get(key);
      if (known !== undefined) {
        remembered += 1;
        return known;
      }
      checked += 1;
      const result = await inspectOnce(bytes, label, field, limits, sha256);
      passed.set(key, result);
      for (const oldest of passed.keys()) {
        if (passed.size <= rememberedMax) break;
        passed.delete(oldest);
      }
      return result;
    },
    async readIntake(bytes) {
      // Not transferred: a small body's bytes may share Node's buffer pool (a body read by readSharedBody is shared, not copied).
      const read = (await pool.run(bytes, { name: 'readIntakeBody' })) as ReadBody;
      if (!read.ok) {
        const texts = { empty: requestErrors.emptyBody, invalid: requestErrors.invalidJson, 'too-deep': requestErrors.tooDeep } as const;
        throw new AppError(ErrorType.MalformedPayload, read.reason === 'not-a-form' ? read.error : texts[read.reason]);
      }
      if (!read.submission.ok) return { ok: true, answers: read.answers, submission: read.submission };
      const { documents, ...fields } = read.submission.value;
      const sources = Object.fromEntries(Object.entries(documents).map(([kind, source]) => [kind, received(source)])) as Record<DocumentKind, DocumentSource>;
      return { ok: true, answers: read.answers, submission: { ok: true, value: { ...fields, documents: sources } } };
    },
    async close() {
      await pool.close({ force: true });
    },
    counts: () => ({ checked, remembered }),
  };
}
