/**
 * Per-subject keys (crypto-shredding) and blind indexes. Each data subject — a registration, a
 * chat — has a data key of its own, wrapped by a master key and kept in `data_keys`; its files and its
 * personal database fields are encrypted with it, so destroying that one key (an erasure) leaves
 * every copy unreadable, backups included. Equality lookups on an encrypted field (a live
 * registration with this NIF) go through a keyed hash of the value, never the value itself.
 */
import { createHmac } from 'node:crypto';
import { openBytes, sealBytes } from './aead.ts';
import { SealBroken } from './envelope.ts';
import type { Keyring, MasterKey } from './keyring.ts';

export interface PersonalData {
  /** The master keys that wrap every data key. */
  keyring: Keyring;
  /** The keyed hash (HMAC-SHA-256 under the system's index key) of `value` for lookups of this kind. */
  index(kind: 'nif' | 'phone' | 'chat' | 'message' | 'delivery' | 'turn' | 'subject', value: string): string;
}

export function personalDataOf(keyring: Keyring, indexKey: Buffer): PersonalData {
  return { keyring, index: (kind, value) => createHmac('sha256', indexKey).update(`${kind}|${value}`).digest('base64url') };
}

/** A data key as it is stored: its id, the master key wrapping it, and the wrapped bytes. */
export interface WrappedKey {
  id: string;
  masterKeyId: string;
  wrapped: Buffer;
}

const wrapAad = (masterKeyId: string, id: string) => Buffer.from(`lf-subject-key|${masterKeyId}|${id}`);

export function wrapDataKey(keyring: Keyring, id: string, key: Buffer): WrappedKey {
  return { id, masterKeyId: keyring.current.id, wrapped: sealBytes(keyring.current.key, key, wrapAad(keyring.current.id, id)) };
}

/** The data key as the envelope takes it (`dk:<id>`), or `SealBroken` when its master key is not held or it was changed. */
export function unwrapDataKey(keyring: Keyring, stored: WrappedKey): MasterKey {
  const what = 'A data subject\'s key';
  const master = keyring.find(stored.masterKeyId);
  if (master === undefined) throw new SealBroken('unknown-key', what);
  const key = openBytes(master.key, stored.wrapped, wrapAad(master.id, stored.id));
  if (key === undefined) throw new SealBroken('tampered', what);
  return { id: envelopeIdOf(stored.id), key };
}

/** How a file's header names a data subject's key (master key ids cannot hold a `:`). */
export const envelopeIdOf = (dataKeyId: string) => `dk:${dataKeyId}`;
export const dataKeyIdOf = (envelopeId: string): string | undefined => (envelopeId.startsWith('dk:') ? envelopeId.slice(3) : undefined);

const fieldPrefix = 'lf1:';
const fieldAad = (binding: string) => Buffer.from(`lf-field|${binding}`);

/** A personal field encrypted with its subject's key, bound to `binding` (its row and column), as text. */
export const sealField = (key: MasterKey, binding: string, value: string): string =>
  `${fieldPrefix}${sealBytes(key.key, Buffer.from(value, 'utf8'), fieldAad(binding)).toString('base64')}`;

/**
 * The field's value: a sealed one opened with its subject's key; an empty one (a tombstone's) as it
 * is. A sealed field whose key is gone (erased) or that does not open throws `SealBroken`.
 */
export function openField(key: MasterKey | undefined, binding: string, stored: string): string {
  if (!stored.startsWith(fieldPrefix)) return stored;
  if (key === undefined) throw new SealBroken('key-destroyed', 'A personal field');
  const plain = openBytes(key.key, Buffer.from(stored.slice(fieldPrefix.length), 'base64'), fieldAad(binding));
  if (plain === undefined) throw new SealBroken('tampered', 'A personal field');
  return plain.toString('utf8');
}

export const isSealedField = (stored: string) => stored.startsWith(fieldPrefix);
