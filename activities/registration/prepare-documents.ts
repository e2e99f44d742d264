import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import type { DocumentMime } from '../../platform/documents/inspect-document.ts';
import { processDocument } from '../../platform/documents/process-document.ts';
import { currentDocuments, markAwaitingReview, recordProcessedDocument } from '../../platform/stores/registrations.ts';
import type { DocumentRow } from '../../platform/stores/registration-rows.ts';
import type { RegistrationDependencies } from './dependencies.ts';

const extensionOf: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/heic': 'heic', 'application/pdf': 'pdf',
};

/**
 * Turns the documents received with a submission into the stored ones: images auto-oriented,
 * stripped of metadata (EXIF, GPS), re-encoded and thumbnailed; PDFs kept as they are. Superseded
 * revisions and the received originals are deleted. Then the registration awaits a reviewer.
 * Safe to re-run: every key is derived from the document id and revision.
 */
export function createPrepareDocuments(deps: Pick<RegistrationDependencies, 'db' | 'storage' | 'metrics' | 'documentMaxPixels'>) {
  const { db, storage, metrics } = deps;

  async function storeOne(doc: DocumentRow): Promise<string[]> {
    if (doc.receivedKey === null) throw new Error(`Document ${doc.id} has no received file`);
    const received = await storage.get(doc.receivedKey);
    const stopTimer = metrics.documentProcessingSeconds.startTimer();
    const processed = await processDocument(received.bytes, doc.mime as DocumentMime, { maxPixels: deps.documentMaxPixels });
    stopTimer();
    const base = `registrations/${doc.registrationId}/documents/${doc.kind}-r${doc.revision}`;
    const storageKey = `${base}.${extensionOf[processed.mime] ?? 'bin'}`;
    await storage.put(storageKey, processed.bytes, processed.mime, processed.sha256);
    const thumbnailKey = processed.thumbnail === undefined ? null : `${base}.thumb.jpg`;
    if (processed.thumbnail !== undefined && thumbnailKey !== null) {
      await storage.put(thumbnailKey, processed.thumbnail.bytes, processed.thumbnail.mime);
    }
    return recordProcessedDocument(db, doc, {
      storageKey, thumbnailKey, sha256: processed.sha256, mime: processed.mime, sizeBytes: processed.bytes.length,
      width: processed.width ?? null, height: processed.height ?? null,
    });
  }

  return async function prepareDocuments(input: { registrationId: string }): Promise<{ processed: number }> {
    const pending = (await currentDocuments(db, input.registrationId)).filter((doc) => doc.status === 'received');
    let processed = 0;
    for (const doc of pending) {
      Context.current().heartbeat(doc.id);
      let obsoleteKeys: string[];
      try {
        obsoleteKeys = await storeOne(doc);
      } catch (error) {
        // Inspection at intake already decoded it; failing here means the file cannot be trusted.
        if (error instanceof Error && 'type' in error && error.type === ErrorType.DocumentUnreadable) {
          throw ApplicationFailure.nonRetryable(error.message, ErrorType.DocumentUnreadable);
        }
        throw error;
      }
      await Promise.all(obsoleteKeys.map((key) => storage.delete(key)));
      processed += 1;
    }
    const documents = await currentDocuments(db, input.registrationId);
    if (documents.length === 0) {
      throw ApplicationFailure.nonRetryable(`Registration ${input.registrationId} has no documents`, ErrorType.RegistrationNotFound);
    }
    await markAwaitingReview(db, input.registrationId);
    return { processed };
  };
}
