/**
 * Private storage for identity documents (GDPR): what the registration process needs, nothing else.
 *
 * Keys are `/`-separated segments of [a-z0-9._-] (e.g. `registrations/r-42/licence-front.jpg`),
 * never user input as such. Anything else is refused with a thrown `RangeError`, a programming
 * error rather than a client one, so path traversal cannot happen whatever the backend.
 */

export interface StoredDocument {
  bytes: Buffer;
  contentType: string;
}

export interface DocumentStorage {
  /**
   * Atomic (readers see the old object or the new one, never part of one); idempotent for the same
   * key and bytes. `sha256` (hex) saves hashing again when the caller already has it.
   */
  put(key: string, bytes: Buffer, contentType: string, sha256?: string): Promise<void>;
  /** Throws `AppError` NotFound if there is no such key. */
  get(key: string): Promise<StoredDocument>;
  /** Deleting a missing key is fine. */
  delete(key: string): Promise<void>;
  /**
   * Deletes every key under the folder `prefix` (`a/b` and `a/b/` both mean keys starting with `a/b/`;
   * never `a/bc/...`, never the key `a/b` itself). An empty prefix is refused.
   */
  deletePrefix(prefix: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Every object under the folder `prefix` with when it was last written (for the orphan sweep); none when the folder is missing. */
  list(prefix: string): Promise<Array<{ key: string; modifiedAt: Date }>>;
}

/** A stored object that is not what was written (its bytes no longer match what the backend recorded). */
export class StoredObjectCorrupt extends Error {
  constructor(key: string) {
    super(`Stored object ${key} does not match what was written`);
    this.name = 'StoredObjectCorrupt';
  }
}

const segmentPattern = /^[a-z0-9._-]{1,128}$/;
const maxKeyLength = 512;

/** Returns the key's segments, or throws if the key is not a safe storage key. */
export function keySegments(key: string): string[] {
  if (typeof key !== 'string' || key.length === 0 || key.length > maxKeyLength) throw unsafeKey(key);
  const segments = key.split('/');
  for (const segment of segments) {
    // Rejects '', '.', '..' (and '...'): no empty, relative or dot-only segment reaches the filesystem.
    if (!segmentPattern.test(segment) || /^\.+$/.test(segment)) throw unsafeKey(key);
  }
  return segments;
}

/** Like `keySegments`, for a folder prefix: one trailing `/` is allowed. */
export function prefixSegments(prefix: string): string[] {
  return keySegments(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** A MIME type such as `image/jpeg` or `application/pdf`; stored as metadata, never derived from the key. */
export function assertContentType(contentType: string): void {
  if (!/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/i.test(contentType) || contentType.length > 127) {
    throw new RangeError(`Refused content type ${JSON.stringify(contentType)}`);
  }
}

function unsafeKey(key: unknown): RangeError {
  return new RangeError(`Refused storage key ${JSON.stringify(String(key)).slice(0, 200)}: use '/'-separated [a-z0-9._-] segments`);
}
