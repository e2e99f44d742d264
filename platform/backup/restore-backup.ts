/**
 * `restoreBackup`: a backup back into an empty database and an empty document store (README,
 * "Backups and restore"). Everything is checked before anything is touched: the manifest's key opens
 * with MASTER_KEYS and its seal holds, this version knows its schema, every master key its data needs
 * is held, the database and the store are empty, and every part opens whole and matches the manifest
 * (each document's SHA-256 too), unpacked beside the store. Only then is the database restored, in
 * one transaction, its rows counted against the manifest, and the unpacked store moved into place.
 * Any refusal is a `BackupRefused` in English, and leaves the database and the store as they were.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Keyring } from '../crypto/keyring.ts';
import { openStream, StreamDamaged } from '../crypto/sealed-stream.ts';
import { ensureDatabaseExists, knownMigrations } from '../migrate.ts';
import { createFileStorage } from '../storage/file-storage.ts';
import { countRows, relationCount, serverVersion } from '../stores/backups.ts';
import { BackupRefused, manifestFile, openManifest, partFiles, streamName, type Manifest, type PartName } from './manifest.ts';
import { findPgTool, restoreDatabase } from './postgres-tools.ts';
import { exists, type BackupTarget } from './targets.ts';

export interface RestoreInto {
  databaseUrl: string;
  storageDir: string;
  keyring: Keyring;
  /** PG_RESTORE (unset: found as postgres-tools.ts says). */
  pgRestore?: string | undefined;
  /** Where to put Temporal's dev-server database from the backup (a file that must not exist); unset: not restored. */
  temporalSqlite?: string | undefined;
  /** Told as the work goes on. */
  progress?: (line: string) => void;
}

export interface RestoreReport {
  id: string;
  createdAt: string;
  schemaVersion: string;
  counts: Record<string, number>;
  documents: number;
  /** Chat media the database names that was not in the store when the backup was made (retention). */
  missing: number;
  temporal: 'restored' | 'in the backup, not restored (no --temporal-db)' | 'not in the backup';
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

function maintenanceUrl(url: string): string {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
}

async function hasAnyFile(folder: string, except?: string): Promise<boolean> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const outside = (entry: { parentPath: string }) => except === undefined || (entry.parentPath !== except && !entry.parentPath.startsWith(`${except}${path.sep}`));
  return entries.some((entry) => !entry.isDirectory() && outside(entry));
}

/** What must hold before anything is touched; throws `BackupRefused` with the first that does not. */
async function checkBeforeRestoring(manifest: Manifest, into: RestoreInto): Promise<void> {
  if (!(await knownMigrations()).includes(manifest.schemaVersion)) {
    throw new BackupRefused(`Backup ${manifest.id} was made by a newer version of the system (schema ${manifest.schemaVersion}, unknown to this one): restore it with that version.`);
  }
  const needed = [...new Set([...manifest.masterKeys.dataKeys, ...manifest.masterKeys.documents])];
  const lacking = needed.filter((id) => into.keyring.find(id) === undefined);
  if (lacking.length > 0) {
    throw new BackupRefused(`Backup ${manifest.id} holds data wrapped by master key(s) ${lacking.map((id) => `"${id}"`).join(', ')}, which MASTER_KEYS does not hold: restore with the MASTER_KEYS the system had when the backup was made.`);
  }
  for (const part of ['database', 'documents'] as const) {
    if (!manifest.parts.some((entry) => entry.name === part)) throw new BackupRefused(`Backup ${manifest.id} has no ${part} part: it cannot be restored.`);
  }
  const relations = await relationCount(into.databaseUrl);
  if (relations > 0) {
    throw new BackupRefused(`The database ${databaseName(into.databaseUrl)} is not empty (${relations} tables, views or sequences): a backup is restored only into an empty database. Point DATABASE_URL at a new database, or drop this one first.`);
  }
  if (await hasAnyFile(into.storageDir)) {
    throw new BackupRefused(`The document store ${path.resolve(into.storageDir)} is not empty: a backup is restored only into an empty store. Point DOCUMENT_STORAGE_DIR at a new folder, or empty this one first.`);
  }
  if (into.temporalSqlite !== undefined) {
    if (!manifest.temporal.included) throw new BackupRefused(`Backup ${manifest.id} holds no Temporal database (${manifest.temporal.note}): leave out --temporal-db.`);
    if (await exists(into.temporalSqlite)) throw new BackupRefused(`${path.resolve(into.temporalSqlite)} exists: Temporal's database is restored only where there is none (stop the dev server and move the file away first).`);
  }
}

/** Files written at once while unpacking: each write waits for its fsyncs, so a few overlap. */
const writesInFlight = 8;

/** The backup's documents part, cut into its files (in manifest order), each checked and put in `store`. */
async function unpackDocuments(plain: AsyncIterable<Buffer>, manifest: Manifest, storeDir: string, progress: (line: string) => void): Promise<void> {
  const store = createFileStorage(storeDir);
  const entries = manifest.documents;
  const writing = new Set<Promise<void>>();
  let failed: { error: unknown } | undefined;
  const settle = async (all: boolean) => {
    while (writing.size >= (all ? 1 : writesInFlight)) await Promise.race(writing);
    if (failed !== undefined) throw failed.error;
  };
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  const cut = async () => {
    while (index < entries.length && pending.length >= entries[index]!.size) {
      const entry = entries[index]!;
      const bytes = pending.subarray(0, entry.size);
      pending = pending.subarray(entry.size);
      if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) throw new BackupRefused(`Backup ${manifest.id}: document ${entry.key} does not match its SHA-256 in the manifest: nothing was restored.`);
      const write: Promise<void> = store.put(entry.key, bytes, entry.contentType, entry.sha256)
        .catch((error: unknown) => {
          failed ??= { error };
        })
        .finally(() => writing.delete(write));
      writing.add(write);
      await settle(false);
      index += 1;
      if (index % 1000 === 0) progress(`${index} of ${entries.length} documents checked and unpacked`);
    }
  };
  try {
    await cut();
    for await (const chunk of plain) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      await cut();
    }
  } finally {
    // Never leave a write running behind a refusal: the caller removes the folder next.
    await Promise.all(writing);
  }
  await settle(true);
  if (index !== entries.length || pending.length > 0) throw new BackupRefused(`Backup ${manifest.id}: the documents part does not hold the files its manifest lists: nothing was restored.`);
}

/** One part read, its bytes checked against the manifest, opened, and handed to `consume`. */
async function unpackPart(source: BackupTarget, manifest: Manifest, key: Buffer, part: PartName, consume: (plain: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  const expected = manifest.parts.find((entry) => entry.name === part)!;
  const hash = createHash('sha256');
  let size = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of await source.read(manifest.id, partFiles[part])) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  };
  try {
    await consume(openStream(counted(), key, streamName(manifest.id, part)));
  } catch (error) {
    if (error instanceof StreamDamaged) throw new BackupRefused(`Backup ${manifest.id}'s ${part} part was changed or is incomplete (${error.message}): nothing was restored.`);
    throw error;
  }
  if (size !== expected.size || hash.digest('hex') !== expected.sha256) {
    throw new BackupRefused(`Backup ${manifest.id}'s ${part} part is not the one its manifest names (size or SHA-256 differ): nothing was restored.`);
  }
}

export async function restoreBackup(source: BackupTarget, id: string, into: RestoreInto): Promise<RestoreReport> {
  const progress = into.progress ?? (() => undefined);
  const { manifest, key } = openManifest(await readAll(await source.read(id, manifestFile)), into.keyring, `${source.where.replace(/\/$/, '')}/${id}/${manifestFile}`);
  await checkBeforeRestoring(manifest, into);
  const server = await serverVersion(maintenanceUrl(into.databaseUrl));
  const pgRestore = await findPgTool('pg_restore', into.pgRestore, Math.max(server.major, manifest.postgres.pgDumpMajor));

  // Unpacked inside the (empty) store, so the documents move into place by renames on its own
  // filesystem, even when the store is a mount point (a compose volume); removed however this ends.
  const storeDir = path.resolve(into.storageDir);
  await mkdir(storeDir, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(path.join(storeDir, `.restore-${id}-`));
  try {
    const unpackedStore = path.join(work, 'documents');
    const dumpFile = path.join(work, 'database.dump');
    const temporalFile = path.join(work, 'temporal.sqlite');
    await unpackPart(source, manifest, key, 'database', (plain) => pipeline(plain, createWriteStream(dumpFile, { mode: 0o600 })));
    progress('database part checked');
    await mkdir(unpackedStore, { mode: 0o700 });
    await unpackPart(source, manifest, key, 'documents', (plain) => unpackDocuments(plain, manifest, unpackedStore, progress));
    progress(`${manifest.documents.length} documents checked`);
    const restoreTemporal = into.temporalSqlite !== undefined;
    if (restoreTemporal) await unpackPart(source, manifest, key, 'temporal', (plain) => pipeline(plain, createWriteStream(temporalFile, { mode: 0o600 })));

    // Everything checked: now the database (all or nothing), then the store, then Temporal's file.
    await ensureDatabaseExists(into.databaseUrl);
    await restoreDatabase(pgRestore, into.databaseUrl, dumpFile);
    const counts = await countRows(into.databaseUrl);
    const differing = Object.keys({ ...manifest.counts, ...counts }).filter((table) => counts[table] !== manifest.counts[table]);
    if (differing.length > 0) throw new Error(`The restored database's row counts differ from the backup's manifest in ${differing.join(', ')}: check it before use`);
    progress('database restored');
    // Checked empty above; an empty folder (or empty subfolders) gives way to the unpacked store.
    if (await hasAnyFile(storeDir, work)) throw new Error(`Files appeared in ${storeDir} while the backup was being restored: the database is restored, the documents are not`);
    for (const entry of await readdir(unpackedStore)) {
      const target = path.join(storeDir, entry);
      // Empty folders only (checked above): the unpacked ones take their place.
      await rm(target, { recursive: true, force: true });
      await rename(path.join(unpackedStore, entry), target);
    }
    if (restoreTemporal) {
      const temporalTarget = path.resolve(into.temporalSqlite!);
      await mkdir(path.dirname(temporalTarget), { recursive: true });
      await rename(temporalFile, temporalTarget).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EXDEV') throw error;
        await copyFile(temporalFile, temporalTarget);
      });
    }
    return {
      id: manifest.id,
      createdAt: manifest.createdAt,
      schemaVersion: manifest.schemaVersion,
      counts,
      documents: manifest.documents.length,
      missing: manifest.missing.length,
      temporal: restoreTemporal ? 'restored' : manifest.temporal.included ? 'in the backup, not restored (no --temporal-db)' : 'not in the backup',
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
