/**
 * `npm run keys:rotate`, the stored objects' part: an object of a data subject (a registration's
 * documents, a chat's media) still wrapped by a master key is re-encrypted under its subject's key
 * (so an erasure reaches it); any other object's data key is re-wrapped by the current master key
 * (the first of `MASTER_KEYS`) without re-encrypting its payload, so the older keys can be dropped.
 * An object written before encryption is encrypted on the way. Objects under a subject's key need
 * nothing here: their subject's key is re-wrapped in the database (stores/data-keys.ts).
 */
import { SealBroken, isSealed, rewrap, seal, sealedWith, unseal } from '../crypto/envelope.ts';
import { keyringOf, type Keyring } from '../crypto/keyring.ts';
import type { DocumentStorage } from './document-storage.ts';
import type { SubjectKeys } from './encrypted-storage.ts';

/** The top folders of every stored object: registration documents and thumbnails, chat media. */
export const storageFolders = ['registrations', 'media'] as const;

export interface RotationReport {
  /** The current master key's id. */
  keyId: string;
  alreadyCurrent: number;
  rewrapped: number;
  /** Found unencrypted and encrypted now. */
  encrypted: number;
  /** Wrapped by a master key before and re-encrypted under their data subject's key now. */
  movedToSubjectKeys: number;
  /** Under their data subject's key already. */
  underSubjectKeys: number;
  /** Objects that do not open (their key is not held, or they were changed): left as they are. */
  failed: Array<{ key: string; reason: string }>;
}

/** `backend` is the storage under the encryption (the objects as they are at rest). */
export async function rotateStoredKeys(backend: DocumentStorage, keyring: Keyring, subjects: SubjectKeys): Promise<RotationReport> {
  const report: RotationReport = { keyId: keyring.current.id, alreadyCurrent: 0, rewrapped: 0, encrypted: 0, movedToSubjectKeys: 0, underSubjectKeys: 0, failed: [] };
  for (const folder of storageFolders) {
    for (const { key } of await backend.list(folder)) {
      const stored = await backend.get(key);
      try {
        const named = isSealed(stored.bytes) ? sealedWith(stored.bytes) : undefined;
        if (named !== undefined && keyring.find(named) === undefined) {
          // Not a master key held: a data subject's key (kept in the database), or a key that is gone.
          if ((await subjects.byEnvelopeId(named)) === undefined) throw new SealBroken(named.includes(':') ? 'key-destroyed' : 'unknown-key', key);
          report.underSubjectKeys += 1;
          continue;
        }
        const subjectKey = await subjects.forObject(key);
        if (named === undefined) {
          await backend.put(key, seal(stored.bytes, subjectKey === undefined ? keyring : keyringOf([subjectKey]), key), stored.contentType);
          report.encrypted += 1;
        } else if (subjectKey !== undefined) {
          await backend.put(key, seal(unseal(stored.bytes, keyring, key), keyringOf([subjectKey]), key), stored.contentType);
          report.movedToSubjectKeys += 1;
        } else if (named === keyring.current.id) {
          report.alreadyCurrent += 1;
        } else {
          await backend.put(key, rewrap(stored.bytes, keyring, key), stored.contentType);
          report.rewrapped += 1;
        }
      } catch (error) {
        if (!(error instanceof SealBroken)) throw error;
        report.failed.push({ key, reason: error.reason });
      }
    }
  }
  return report;
}
