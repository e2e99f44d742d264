/**
 * Where backups are kept: a folder (`BACKUP_DIR`) or an S3 bucket (`BACKUP_S3_*`, s3-target.ts).
 * Either way a backup is one folder (or key prefix) named by its id holding its parts and, written
 * last, its manifest: a backup without its manifest is incomplete, listed as such and never restored.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { backupIdPattern } from '../../domain/backup.ts';
import { BackupRefused, manifestFile } from './manifest.ts';

export interface BackupTarget {
  /** For messages: the folder, or s3://bucket/prefix. */
  where: string;
  /** Backup ids, oldest first: those with their manifest, and those without (a run that died part-way). */
  list(): Promise<{ complete: string[]; incomplete: string[] }>;
  /** A local empty folder to write a backup's parts into before `store`. */
  stage(id: string): Promise<string>;
  /**
   * The staged parts kept as backup `id`, the manifest last; the staging folder is gone afterwards.
   * `progress` is called as a long upload goes on (the activity heartbeats with it).
   */
  store(id: string, staged: string, files: string[], manifest: Buffer, progress?: () => void): Promise<void>;
  /** One of a backup's files as a stream; `BackupRefused` when there is no such backup or file. */
  read(id: string, file: string): Promise<AsyncIterable<Buffer>>;
  /** The backup deleted, complete or not. */
  remove(id: string): Promise<void>;
  /** Connections closed (S3). */
  close(): void;
}

/** Whether `file` is there (any kind of entry). */
export const exists = (file: string) => stat(file).then(() => true, () => false);

const stagingPrefix = '.staging-';

/** Backups as folders under `root` (made 0700): `<root>/<id>/`; a run in progress writes `<root>/.staging-<id>/`. */
export function folderTarget(root: string): BackupTarget {
  const folder = path.resolve(root);
  return {
    where: folder,
    async list() {
      const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      const complete: string[] = [];
      const incomplete: string[] = [];
      for (const entry of entries.filter((candidate) => candidate.isDirectory())) {
        const id = entry.name.startsWith(stagingPrefix) ? entry.name.slice(stagingPrefix.length) : entry.name;
        if (!backupIdPattern.test(id)) continue;
        if (entry.name === id && (await exists(path.join(folder, id, manifestFile)))) complete.push(id);
        else incomplete.push(id);
      }
      return { complete: complete.sort(), incomplete: [...new Set(incomplete)].sort() };
    },
    async stage(id) {
      const staged = path.join(folder, `${stagingPrefix}${id}`);
      await mkdir(folder, { recursive: true, mode: 0o700 });
      await rm(staged, { recursive: true, force: true });
      await mkdir(staged, { mode: 0o700 });
      return staged;
    },
    async store(id, staged, _files, manifest) {
      await writeFile(path.join(staged, manifestFile), manifest, { mode: 0o600, flush: true });
      // One rename: the backup appears whole, or not at all.
      await rename(staged, path.join(folder, id));
    },
    async read(id, file) {
      const location = path.join(folder, id, file);
      if (!backupIdPattern.test(id) || !(await exists(location))) throw new BackupRefused(`There is no ${file} in ${path.join(folder, id)}: not a complete backup`);
      return createReadStream(location);
    },
    async remove(id) {
      await rm(path.join(folder, `${stagingPrefix}${id}`), { recursive: true, force: true });
      await rm(path.join(folder, id), { recursive: true, force: true });
    },
    close: () => undefined,
  };
}

/**
 * Deletes all but the newest `keep` complete backups, and the incomplete ones older than the newest
 * complete one (a run in progress is newer). Returns the ids deleted.
 */
export async function pruneBackups(target: BackupTarget, keep: number): Promise<string[]> {
  const { complete, incomplete } = await target.list();
  const newest = complete.at(-1);
  const doomed = [...complete.slice(0, Math.max(complete.length - keep, 0)), ...incomplete.filter((id) => newest !== undefined && id < newest)];
  for (const id of doomed) await target.remove(id);
  return doomed;
}
