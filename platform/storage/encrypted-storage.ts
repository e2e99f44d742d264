/**
 * `DocumentStorage` that encrypts every object before it reaches the backend (envelope encryption,
 * platform/crypto/envelope.ts): a copied disk, bucket or backup holds no readable document, photo or
 * media. A read that does not open (tampered, moved, a master key no longer held, or a file that was
 * never encrypted) fails loudly, and `onBroken` is told (the system audits it).
 */
import { SealBroken, seal, unseal, type SealFailure } from '../crypto/envelope.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { StoredObjectCorrupt, type DocumentStorage } from './document-storage.ts';

export type BrokenRead = (key: string, reason: SealFailure) => Promise<void>;

export function createEncryptedStorage(inner: DocumentStorage, keyring: Keyring, onBroken: BrokenRead = async () => {}): DocumentStorage {
  return {
    ...inner,
    // The backend records the sealed bytes' own hash: the caller's is of the plain ones.
    put: (key, bytes, contentType) => inner.put(key, seal(bytes, keyring, key), contentType),
    async get(key) {
      try {
        const stored = await inner.get(key);
        return { bytes: unseal(stored.bytes, keyring, key), contentType: stored.contentType };
      } catch (error) {
        const reason = error instanceof SealBroken ? error.reason : error instanceof StoredObjectCorrupt ? 'tampered' : undefined;
        // The read fails either way; a failed audit must not hide why.
        if (reason !== undefined) await onBroken(key, reason).catch(() => {});
        throw error;
      }
    },
  };
}
