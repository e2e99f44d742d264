/** AES-256-GCM, the one cipher of the system's encryption at rest: a fresh 12-byte IV each time, the tag checked on every read. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ivLength = 12;
export const tagLength = 16;
export const keyLength = 32;

export const newKey = () => randomBytes(keyLength);

export function encrypt(key: Buffer, plain: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; sealed: Buffer } {
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), sealed };
}

/** The plain bytes, or undefined when they do not open (another key, changed bytes, another binding). */
export function decrypt(key: Buffer, iv: Buffer, tag: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** One sealed value as a single buffer: IV | tag | ciphertext. */
export const sealBytes = (key: Buffer, plain: Buffer, aad: Buffer): Buffer => {
  const { iv, tag, sealed } = encrypt(key, plain, aad);
  return Buffer.concat([iv, tag, sealed]);
};

export const openBytes = (key: Buffer, bytes: Buffer, aad: Buffer): Buffer | undefined =>
  bytes.length < ivLength + tagLength
    ? undefined
    : decrypt(key, bytes.subarray(0, ivLength), bytes.subarray(ivLength, ivLength + tagLength), bytes.subarray(ivLength + tagLength), aad);
