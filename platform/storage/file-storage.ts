/**
 * `DocumentStorage` on the local filesystem: one file per key under `rootDir`, readable only by
 * the service's user (directories 0700, files 0600), written to a temporary file, fsynced, renamed.
 *
 * Beside each object, `<name>~meta.json` holds its content type, size and SHA-256 (checked on read).
 * `~` cannot appear in a key, so no key can name a sidecar or a temporary file. The sidecar is
 * written before the object and deleted after it, so an object never exists without its sidecar.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { reviewerMessages } from '../../domain/texts/registration.ts';
import { assertContentType, keySegments, prefixSegments, StoredObjectCorrupt } from './document-storage.ts';
import type { DocumentStorage, StoredDocument } from './document-storage.ts';

const sidecarSuffix = '~meta.json';

interface Sidecar {
  contentType: string;
  size: number;
  sha256: string;
}

export function createFileStorage(rootDir: string): DocumentStorage {
  const root = path.resolve(rootDir);
  const locate = (segments: string[]): string => {
    const file = path.join(root, ...segments);
    // Unreachable with validated segments; kept so a future change to the key rules cannot escape the root.
    if (!file.startsWith(root + path.sep)) throw new RangeError('Storage path escapes the root directory');
    return file;
  };

  return {
    async put(key: string, bytes: Buffer, contentType: string, knownSha256?: string): Promise<void> {
      const file = locate(keySegments(key));
      assertContentType(contentType);
      const sidecar: Sidecar = { contentType, size: bytes.length, sha256: knownSha256 ?? sha256(bytes) };
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeAtomically(file + sidecarSuffix, Buffer.from(JSON.stringify(sidecar)));
      await writeAtomically(file, bytes);
      await syncDirectory(path.dirname(file));
    },

    async get(key: string): Promise<StoredDocument> {
      const file = locate(keySegments(key));
      const [bytes, sidecarText] = await Promise.all([readFile(file), readFile(file + sidecarSuffix, 'utf8')])
        .catch((error: unknown) => {
          throw isMissing(error) ? new AppError(ErrorType.NotFound, reviewerMessages.documentMissing) : error;
        });
      const sidecar = JSON.parse(sidecarText) as Sidecar;
      if (sidecar.size !== bytes.length || sidecar.sha256 !== sha256(bytes)) {
        throw new StoredObjectCorrupt(key);
      }
      return { bytes, contentType: sidecar.contentType };
    },

    async delete(key: string): Promise<void> {
      const file = locate(keySegments(key));
      await unlink(file).catch(ignoreMissing);
      await unlink(file + sidecarSuffix).catch(ignoreMissing);
    },

    async deletePrefix(prefix: string): Promise<void> {
      const folder = locate(prefixSegments(prefix));
      const entry = await lstat(folder).catch(ignoreMissing);
      if (entry?.isDirectory()) await rm(folder, { recursive: true, force: true });
    },

    async list(prefix: string): Promise<Array<{ key: string; modifiedAt: Date }>> {
      const folder = locate(prefixSegments(prefix));
      const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(ignoreMissing);
      const objects = (entries ?? []).filter((entry) => entry.isFile() && !entry.name.includes('~'));
      const listed = await Promise.all(objects.map(async (entry) => {
        const file = path.join(entry.parentPath, entry.name);
        const modified = await stat(file).then((found) => found.mtime, ignoreMissing);
        return modified === undefined ? [] : [{ key: path.relative(root, file).split(path.sep).join('/'), modifiedAt: modified }];
      }));
      return listed.flat();
    },

    async exists(key: string): Promise<boolean> {
      const file = locate(keySegments(key));
      return stat(file).then((entry) => entry.isFile(), (error: unknown) => {
        if (isMissing(error)) return false;
        throw error;
      });
    },
  };
}

async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  const temporary = `${file}~${randomBytes(8).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Makes the renames durable: without it a power cut can forget a rename that was reported done. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** No such object: nothing there, a file where a folder was expected, or a folder where a file was. */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

function ignoreMissing(error: unknown): undefined {
  if (isMissing(error)) return undefined;
  throw error;
}
