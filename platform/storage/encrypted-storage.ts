/**
 * `DocumentStorage` that encrypts every object before it reaches the backend (envelope encryption,
 * platform/crypto/envelope.ts): a copied disk, bucket or backup holds no readable document, photo or
 * media. An object of a data subject (a registration's documents, a chat's media) has its data key
 * wrapped by that subject's key, so destroying the subject's key (an erasure) makes every copy of it
 * unreadable; other objects' data keys are wrapped by the master key. A read that does not open
 * (tampered, moved, a key no longer held or destroyed, or a file that was never encrypted) fails
 * loudly, and `onBroken` is told (the system audits it).
 */
import { SealBroken, seal, sealedWith, unseal, type SealFailure } from '../crypto/envelope.ts';
import { keyringOf, type Keyring, type MasterKey } from '../crypto/keyring.ts';
import { StoredObjectCorrupt, type DocumentStorage } from './document-storage.ts';

export type BrokenRead = (key: string, reason: SealFailure) => Promise<void>;

/** Data subjects' keys (platform/stores/data-keys.ts). */
export interface SubjectKeys {
  /** The key a new object under this storage key is sealed with: its data subject's, or undefined (the master key). */
  forObject(storageKey: string): Promise<MasterKey | undefined>;
  /** A subject's key as an object's header names it, or undefined when it is not a subject's (or was destroyed). */
  byEnvelopeId(envelopeId: string): Promise<MasterKey | undefined>;
}

export function createEncryptedStorage(inner: DocumentStorage, keyring: Keyring, subjects: SubjectKeys | undefined, onBroken: BrokenRead = async () => {}): DocumentStorage {
  async function sealingRing(key: string): Promise<Keyring> {
    const subjectKey = await subjects?.forObject(key);
    return subjectKey === undefined ? keyring : keyringOf([subjectKey]);
  }
  async function openingRing(key: string, bytes: Buffer): Promise<Keyring> {
    const named = sealedWith(bytes);
    if (keyring.find(named) !== undefined || subjects === undefined) return keyring;
    const subjectKey = await subjects.byEnvelopeId(named);
    if (subjectKey !== undefined) return keyringOf([subjectKey]);
    // A subject's key that is gone: the subject was erased (a master key's id never holds a ':').
    if (named.includes(':')) throw new SealBroken('key-destroyed', `Stored object ${key}`);
    return keyring;
  }
  return {
    ...inner,
    // The backend records the sealed bytes' own hash: the caller's is of the plain ones.
    put: async (key, bytes, contentType) => inner.put(key, seal(bytes, await sealingRing(key), key), contentType),
    async get(key) {
      try {
        const stored = await inner.get(key);
        return { bytes: unseal(stored.bytes, await openingRing(key, stored.bytes), key), contentType: stored.contentType };
      } catch (error) {
        const reason = error instanceof SealBroken ? error.reason : error instanceof StoredObjectCorrupt ? 'tampered' : undefined;
        // The read fails either way; a failed audit must not hide why.
        if (reason !== undefined) await onBroken(key, reason).catch(() => {});
        throw error;
      }
    },
  };
}
