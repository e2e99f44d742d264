/**
 * One consistent, encrypted backup (README, "Backups and restore"): the database (`pg_dump`, custom
 * format), every document file as the store keeps it (already encrypted), and Temporal's own database
 * when it is the dev server's file; each part sealed under a fresh key of the backup's own, wrapped
 * by the current master key (the master key itself is never written).
 *
 * Why every row of the dump finds its file: a file is written before the row that names it commits,
 * and deleted after that row stops naming it. So (1) every file in the store is copied; (2) a
 * snapshot of the database is taken and held; (3) the files its rows name that (1) did not see
 * (written since) are copied; (4) `pg_dump` dumps that same snapshot. A file deleted after (1) is
 * still in the backup; one written after the snapshot is named by no row of the dump (copied or not,
 * an orphan the self-repair sweep deletes). Only a file both written after (1) and deleted before (3)
 * can be missing: for a registration's document the backup fails and is made again (its schedule
 * retries); chat media that retention deleted while the database still names it is listed as missing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { isSealed, sealedWith } from '../crypto/envelope.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { sealStream } from '../crypto/sealed-stream.ts';
import { StoredObjectCorrupt, type DocumentStorage } from '../storage/document-storage.ts';
import { storageFolders } from '../storage/rotate-keys.ts';
import { openSnapshot, serverVersion, type DatabaseSnapshot } from '../stores/backups.ts';
import { backupFormat, newBackupKey, partFiles, sealManifest, streamName, type Manifest, type PartName } from './manifest.ts';
import { dumpDatabase, findPgTool } from './postgres-tools.ts';
import { copySqliteDatabase } from './temporal-sqlite.ts';
import type { BackupTarget } from './targets.ts';

export interface BackupSources {
  databaseUrl: string;
  /** The document store as it is kept: the sealed bytes, not the decrypting view of them. */
  store: DocumentStorage;
  keyring: Keyring;
  /** PG_DUMP, SQLITE3 (unset: found as postgres-tools.ts and temporal-sqlite.ts say). */
  pgDump?: string | undefined;
  sqlite3?: string | undefined;
  /** The Temporal dev server's SQLite file, when Temporal's database is ours. */
  temporalSqlite?: string | undefined;
  /** Told as the work goes on (an activity's heartbeat). */
  progress?: () => void;
}

export interface MadeBackup {
  made: boolean;
  documents: number;
  bytes: number;
}

type DocumentEntry = Manifest['documents'][number];

async function writePart(staged: string, part: PartName, sealed: AsyncIterable<Buffer>, progress: () => void): Promise<Manifest['parts'][number]> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(sealed, async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.length;
      progress();
      yield chunk;
    }
  }, createWriteStream(path.join(staged, partFiles[part]), { mode: 0o600 }));
  return { name: part, size, sha256: hash.digest('hex') };
}

/** Backup `id` made and kept in `target`; nothing made when a complete backup with that id is there already. */
export async function makeBackup(sources: BackupSources, target: BackupTarget, id: string, now = new Date()): Promise<MadeBackup> {
  if ((await target.list()).complete.includes(id)) return { made: false, documents: 0, bytes: 0 };
  const server = await serverVersion(sources.databaseUrl);
  const pgDump = await findPgTool('pg_dump', sources.pgDump, server.major);
  const { key, wrapped } = newBackupKey(sources.keyring, id);
  const progress = sources.progress ?? (() => undefined);
  const staged = await target.stage(id);
  // Taken between the two passes over the store (set inside the documents' stream), closed once dumped.
  const taken: { snapshot?: DatabaseSnapshot } = {};
  try {
    const documents: DocumentEntry[] = [];
    const copied = new Set<string>();
    const unreadable: string[] = [];
    const documentMasterKeys = new Set<string>();
    let temporal: Manifest['temporal'] = { included: false, note: 'Temporal runs on a server of its own: back up its database as that server\'s operators do (README, "Backups and restore")' };
    const parts: Manifest['parts'] = [];

    const copy = async function* (keys: Iterable<string>): AsyncGenerator<Buffer> {
      for (const storageKey of keys) {
        if (copied.has(storageKey) || unreadable.includes(storageKey)) continue;
        let stored;
        try {
          stored = await sources.store.get(storageKey);
        } catch (error) {
          // Deleted since it was listed: judged at the end, with what the snapshot names.
          if (error instanceof AppError && error.type === ErrorType.NotFound) continue;
          if (error instanceof StoredObjectCorrupt) {
            unreadable.push(storageKey);
            continue;
          }
          throw error;
        }
        copied.add(storageKey);
        documents.push({ key: storageKey, contentType: stored.contentType, size: stored.bytes.length, sha256: createHash('sha256').update(stored.bytes).digest('hex') });
        // Sealed under a master key (not a data subject's `dk:` key): that master key is needed to read it.
        if (isSealed(stored.bytes) && !sealedWith(stored.bytes).includes(':')) documentMasterKeys.add(sealedWith(stored.bytes));
        yield stored.bytes;
      }
    };
    let referenced = new Set<string>();
    const documentBytes = async function* (): AsyncGenerator<Buffer> {
      const listed = (await Promise.all(storageFolders.map((folder) => sources.store.list(folder)))).flat().map((file) => file.key).sort();
      yield* copy(listed);
      if (sources.temporalSqlite !== undefined) temporal = await copyTemporal(sources, staged, key, id, parts, progress);
      taken.snapshot = await openSnapshot(sources.databaseUrl);
      referenced = await taken.snapshot.referencedKeys();
      yield* copy([...referenced].sort());
    };
    parts.push(await writePart(staged, 'documents', sealStream(documentBytes(), key, streamName(id, 'documents')), progress));
    const held = taken.snapshot;
    if (held === undefined) throw new Error('The documents\' stream ended before the snapshot was taken');
    const [counts, schemaVersion, dataKeys] = [await held.counts(), await held.schemaVersion(), await held.dataKeyMasterIds()];
    parts.push(await writePart(staged, 'database', sealStream(dumpDatabase(pgDump, sources.databaseUrl, held.id), key, streamName(id, 'database')), progress));
    delete taken.snapshot;
    await held.close();

    const notFound = [...referenced].filter((storageKey) => !copied.has(storageKey) && !unreadable.includes(storageKey));
    const lostDocuments = notFound.filter((storageKey) => storageKey.startsWith('registrations/'));
    if (lostDocuments.length > 0) {
      throw new Error(`${lostDocuments.length} document file(s) the database names were deleted while the backup ran (a registration processed, erased or purged meanwhile): this backup was not kept; make it again`);
    }
    const manifest: Manifest = {
      format: backupFormat,
      id,
      createdAt: now.toISOString(),
      schemaVersion,
      postgres: { server: server.text, pgDump: pgDump.version, pgDumpMajor: pgDump.major },
      counts,
      masterKeys: { backup: wrapped.masterKeyId, dataKeys, documents: [...documentMasterKeys].sort() },
      key: wrapped,
      parts,
      documents,
      missing: notFound.sort(),
      unreadable: unreadable.sort(),
      temporal,
    };
    await target.store(id, staged, parts.map((part) => partFiles[part.name]), sealManifest(manifest, key), progress);
    return { made: true, documents: documents.length, bytes: parts.reduce((total, part) => total + part.size, 0) };
  } catch (error) {
    await taken.snapshot?.close().catch(() => undefined);
    await target.remove(id).catch(() => undefined);
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
}

/** Temporal's dev-server database, copied consistently, sealed as a part; or why not. */
async function copyTemporal(sources: BackupSources, staged: string, key: Buffer, id: string, parts: Manifest['parts'], progress: () => void): Promise<Manifest['temporal']> {
  const plain = path.join(staged, 'temporal.sqlite.plain');
  try {
    const copied = await copySqliteDatabase(sources.temporalSqlite!, plain, sources.sqlite3);
    if (!copied.copied) return { included: false, note: copied.note };
    parts.push(await writePart(staged, 'temporal', sealStream(createReadStream(plain), key, streamName(id, 'temporal')), progress));
    return { included: true, note: `Temporal's dev-server database (${path.basename(sources.temporalSqlite!)}), copied just before the database's snapshot` };
  } finally {
    await rm(plain, { force: true });
  }
}
