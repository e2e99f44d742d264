/**
 * `npm run keys:rotate`: every stored object's data key re-wrapped by the current master key (the
 * first of `MASTER_KEYS`), so the older keys can then be dropped. Payloads are not re-encrypted.
 * An object written before encryption (a development folder from before) is encrypted on the way.
 */
import { SealBroken, isSealed, rewrap, seal, sealedWith } from '../crypto/envelope.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { DocumentStorage } from './document-storage.ts';

/** The top folders of every stored object: registration documents and thumbnails, chat media. */
export const storageFolders = ['registrations', 'media'] as const;

export interface RotationReport {
  /** The current master key's id. */
  keyId: string;
  alreadyCurrent: number;
  rewrapped: number;
  /** Found unencrypted and encrypted now. */
  encrypted: number;
  /** Objects that do not open (their master key is not held, or they were changed): left as they are. */
  failed: Array<{ key: string; reason: string }>;
}

/** `backend` is the storage under the encryption (the objects as they are at rest). */
export async function rotateStoredKeys(backend: DocumentStorage, keyring: Keyring): Promise<RotationReport> {
  const report: RotationReport = { keyId: keyring.current.id, alreadyCurrent: 0, rewrapped: 0, encrypted: 0, failed: [] };
  for (const folder of storageFolders) {
    for (const { key } of await backend.list(folder)) {
      const stored = await backend.get(key);
      if (!isSealed(stored.bytes)) {
        await backend.put(key, seal(stored.bytes, keyring, key), stored.contentType);
        report.encrypted += 1;
      } else if (sealedWith(stored.bytes) === keyring.current.id) {
        report.alreadyCurrent += 1;
      } else {
        try {
          await backend.put(key, rewrap(stored.bytes, keyring, key), stored.contentType);
          report.rewrapped += 1;
        } catch (error) {
          if (!(error instanceof SealBroken)) throw error;
          report.failed.push({ key, reason: error.reason });
        }
      }
    }
  }
  return report;
}
