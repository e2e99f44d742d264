/**
 * Envelope encryption of a stored file: AES-256-GCM under a data key of its own, and that data key
 * wrapped (AES-256-GCM too) by a master key, whose id is kept in the file's header. Both are bound
 * to the file's storage key, so a file moved to another key does not open. Re-wrapping (a rotated
 * master key) rewrites the header only: the payload's bytes stay as they are.
 *
 *   "LFE1" | id length (1 byte) | id | wrap IV (12) | wrap tag (16) | wrapped key (32) | IV (12) | tag (16) | payload
 */
import { decrypt, encrypt, ivLength, keyLength, newKey, tagLength } from './aead.ts';
import type { Keyring, MasterKey } from './keyring.ts';

const magic = Buffer.from('LFE1');

/** `key-destroyed`: the data subject's key is gone (the driver's data was erased). */
export type SealFailure = 'not-sealed' | 'unknown-key' | 'key-destroyed' | 'tampered';

const failureText: Record<SealFailure, string> = {
  'not-sealed': 'it is not encrypted',
  'unknown-key': 'its master key is not held',
  'key-destroyed': 'its data subject\'s key was destroyed (erased)',
  tampered: 'it was changed or moved',
};

/** A sealed file that does not open: not sealed at all, wrapped by a key no longer held, or changed (or moved). */
export class SealBroken extends Error {
  constructor(readonly reason: SealFailure, what: string) {
    super(`${what} does not open: ${failureText[reason]}`);
    this.name = 'SealBroken';
  }
}

interface Header {
  keyId: string;
  wrapIv: Buffer;
  wrapTag: Buffer;
  wrappedKey: Buffer;
  iv: Buffer;
  tag: Buffer;
  payloadAt: number;
}

export const isSealed = (bytes: Buffer) => bytes.length > magic.length && bytes.subarray(0, magic.length).equals(magic);

function readHeader(bytes: Buffer, what: string): Header {
  if (!isSealed(bytes)) throw new SealBroken('not-sealed', what);
  const idLength = bytes[magic.length]!;
  let at = magic.length + 1;
  const take = (length: number) => {
    if (at + length > bytes.length) throw new SealBroken('tampered', what);
    const part = bytes.subarray(at, at + length);
    at += length;
    return part;
  };
  const keyId = take(idLength).toString('latin1');
  const [wrapIv, wrapTag, wrappedKey, iv, tag] = [take(ivLength), take(tagLength), take(keyLength), take(ivLength), take(tagLength)];
  return { keyId, wrapIv, wrapTag, wrappedKey, iv, tag, payloadAt: at };
}

const wrapAad = (keyId: string, storageKey: string) => Buffer.from(`lf-data-key|${keyId}|${storageKey}`);
const payloadAad = (storageKey: string) => Buffer.from(`lf-file|${storageKey}`);

function decryptOrRefuse(key: Buffer, iv: Buffer, tag: Buffer, sealed: Buffer, aad: Buffer, what: string): Buffer {
  const plain = decrypt(key, iv, tag, sealed, aad);
  if (plain === undefined) throw new SealBroken('tampered', what);
  return plain;
}

function headerBytes(master: MasterKey, dataKey: Buffer, storageKey: string, iv: Buffer, tag: Buffer): Buffer {
  const wrap = encrypt(master.key, dataKey, wrapAad(master.id, storageKey));
  const id = Buffer.from(master.id, 'latin1');
  return Buffer.concat([magic, Buffer.from([id.length]), id, wrap.iv, wrap.tag, wrap.sealed, iv, tag]);
}

/** `plain` encrypted under a fresh data key, wrapped by the keyring's current master key. */
export function seal(plain: Buffer, keyring: Keyring, storageKey: string): Buffer {
  const dataKey = newKey();
  const payload = encrypt(dataKey, plain, payloadAad(storageKey));
  return Buffer.concat([headerBytes(keyring.current, dataKey, storageKey, payload.iv, payload.tag), payload.sealed]);
}

function unwrap(header: Header, keyring: Keyring, storageKey: string, what: string): Buffer {
  const master = keyring.find(header.keyId);
  if (master === undefined) throw new SealBroken('unknown-key', what);
  return decryptOrRefuse(master.key, header.wrapIv, header.wrapTag, header.wrappedKey, wrapAad(master.id, storageKey), what);
}

/** The plain bytes, or `SealBroken`. */
export function unseal(bytes: Buffer, keyring: Keyring, storageKey: string): Buffer {
  const what = 'A stored file';
  const header = readHeader(bytes, what);
  const dataKey = unwrap(header, keyring, storageKey, what);
  return decryptOrRefuse(dataKey, header.iv, header.tag, bytes.subarray(header.payloadAt), payloadAad(storageKey), what);
}

/** The master key id a sealed file's data key is wrapped with. */
export function sealedWith(bytes: Buffer): string {
  return readHeader(bytes, 'A stored file').keyId;
}

/**
 * The same file with its data key wrapped by the current master key: the header is rewritten, the
 * payload (and so the data key) unchanged. The payload is checked first, so a damaged file is not
 * given a fresh header.
 */
export function rewrap(bytes: Buffer, keyring: Keyring, storageKey: string): Buffer {
  const what = 'A stored file';
  const header = readHeader(bytes, what);
  const dataKey = unwrap(header, keyring, storageKey, what);
  decryptOrRefuse(dataKey, header.iv, header.tag, bytes.subarray(header.payloadAt), payloadAad(storageKey), what);
  return Buffer.concat([headerBytes(keyring.current, dataKey, storageKey, header.iv, header.tag), bytes.subarray(header.payloadAt)]);
}
