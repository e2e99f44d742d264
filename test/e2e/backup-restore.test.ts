import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ensureBackupSchedule } from '../../app/schedules.ts';
import { backupScheduleId, backupTimeOf } from '../../domain/backup.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import { makeBackup } from '../../platform/backup/make-backup.ts';
import { BackupRefused, manifestFile, partFiles, readManifest } from '../../platform/backup/manifest.ts';
import { restoreBackup, type RestoreInto } from '../../platform/backup/restore-backup.ts';
import { s3Target } from '../../platform/backup/s3-target.ts';
import { backupSourcesOf } from '../../platform/backup/settings.ts';
import { folderTarget, pruneBackups } from '../../platform/backup/targets.ts';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import { newMasterKey, parseMasterKeys } from '../../platform/crypto/keyring.ts';
import { createDb } from '../../platform/db.ts';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { createFileStorage } from '../../platform/storage/file-storage.ts';
import { createS3Client } from '../../platform/storage/s3-client.ts';
import { createS3Storage } from '../../platform/storage/s3-storage.ts';
import { storageFolders } from '../../platform/storage/rotate-keys.ts';
import { migrate } from '../../platform/migrate.ts';
import { verifyAuditChain } from '../../platform/stores/audit.ts';
import { relationCount } from '../../platform/stores/backups.ts';
import { pgClientMissing, startS3, versitygwMissing } from '../support/backup-tools.ts';
import { ownDatabase } from '../support/own-database.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, testEnvironment, type TestSystem } from '../support/test-system.ts';

const run = promisify(execFile);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file under `folder` (documents and their sidecars) by relative path, with its SHA-256. */
async function filesIn(folder: string): Promise<Record<string, string>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  return Object.fromEntries((await Promise.all(files.map(async (file): Promise<[string, string]> => [path.relative(folder, file), sha256(await readFile(file))]))).sort());
}

/** What a restore must bring back, read from the database and the store. */
async function stateOf(databaseUrl: string, storageDir: string) {
  const db = createDb(databaseUrl);
  try {
    const rows = async (sql: string) => (await db.query<Record<string, unknown>>(sql)).rows;
    return {
      registrations: await rows('SELECT * FROM registrations ORDER BY id'),
      documents: await rows('SELECT * FROM registration_documents ORDER BY id'),
      audit: await rows('SELECT * FROM audit_log ORDER BY id'),
      dataKeys: await rows('SELECT * FROM data_keys ORDER BY id'),
      files: await filesIn(storageDir),
      chain: await verifyAuditChain(db),
    };
  } finally {
    await db.end();
  }
}

const sqlite3 = ['/usr/bin/sqlite3', '/usr/local/bin/sqlite3'].find((file) => existsSync(file));

/** On databases of its own: a backup dumps the whole database, and the restores drop and make databases. */
describe('backups: made consistent and encrypted, restored only into an empty database and store', { skip: pgClientMissing() ?? false }, () => {
  const database = ownDatabase('leguas_backup');
  const empty = ownDatabase('leguas_backup_empty');
  const fromS3 = ownDatabase('leguas_backup_s3');
  const fromS3Store = ownDatabase('leguas_backup_s3_store');
  let sut: TestSystem | undefined;
  let scratch: string;
  let backups: string;
  let keyring: Keyring;
  let backupId: string;
  let taskQueue: string;
  /** The registrations the first test makes (the third one still waits for a reviewer). */
  let ids: string[] = [];
  const emptyTarget = async (): Promise<Omit<RestoreInto, 'keyring'>> => ({ databaseUrl: empty.url, storageDir: await mkdtemp(path.join(scratch, 'empty-store-')) });

  before(async () => {
    scratch = await mkdtemp(path.join(testEnvironment().scratchDir, 'backups-'));
    backups = path.join(scratch, 'kept');
    await database.create();
    await migrate(database.url);
    sut = await startTestSystem({}, { databaseUrl: database.url });
    keyring = sut.system.personal.keyring;
    taskQueue = sut.config.TEMPORAL_TASK_QUEUE;
  });
  after(async () => {
    await sut?.system.temporal.schedule.getHandle(backupScheduleId(taskQueue)).delete().catch(() => undefined);
    await sut?.stop();
    for (const each of [database, empty, fromS3, fromS3Store]) await each.drop();
  });

  const waitPending = (id: string) => eventually(async () => {
    const { body } = await sut!.asReviewer('GET', `/drivers/${id}`);
    return body.status === 'pending_approval' ? body : undefined;
  }, 30_000, 'registration to await a reviewer');

  it('backs up registrations with their documents, brings every row, document and audit entry back after the database and the store are destroyed, and the reviewer still approves', { timeout: 180_000 }, async () => {
    const documents = await sampleDocuments();
    const payloads = [flatPayload(documents), flatPayload(documents), flatPayload(documents)];
    ids = [];
    for (const payload of payloads) {
      const created = await sut!.call('POST', '/drivers/register-typebot/', payload);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids.push(String(created.body.registration_id));
    }
    const views = await Promise.all(ids.map(waitPending));
    assert.equal((await sut!.asReviewer('POST', `/drivers/${ids[0]}/approve`)).status, 200);
    // The approval's own writes (the driver's notice keys its chat) land before the state is read, not between it and the backup.
    await sut!.system.temporal.workflow.getHandle(workflowIdOf(ids[0]!)).result();
    const link = (views[1]!.documents as Array<{ links: { original: string } }>)[0]!.links.original;
    assert.equal((await fetch(`${sut!.system.apiUrl}${link}`, { headers: { authorization: `Bearer ${sut!.reviewerToken}` } })).status, 200);
    const storageDir = sut!.config.DOCUMENT_STORAGE_DIR;
    const before = await stateOf(database.url, storageDir);
    assert.ok(before.chain.ok && before.audit.length >= 3 && before.documents.length === 9, JSON.stringify({ chain: before.chain, audit: before.audit.length }));

    // Temporal's dev-server database is a SQLite file: a stand-in one goes along (the real one is the dev server's, under npm start).
    const temporalFile = path.join(scratch, 'temporal.db');
    if (sqlite3 !== undefined) await run(sqlite3, [temporalFile, "PRAGMA journal_mode=wal; CREATE TABLE executions (id TEXT); INSERT INTO executions VALUES ('driver-registration-1');"]);
    // As an operator does it: `npm run backup`, on the system's database and store.
    const backedUp = await run(process.execPath, ['--import', 'tsx', 'scripts/backup.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, DOCUMENT_STORAGE_DIR: storageDir, BACKUP_DIR: backups, ...(sqlite3 === undefined ? {} : { BACKUP_TEMPORAL_SQLITE: temporalFile }) },
    });
    const made = JSON.parse(backedUp.stdout) as { id: string; made: boolean; documents: number };
    backupId = made.id;
    const storedDocuments = Object.keys(before.files).filter((file) => !file.includes('~')).length;
    assert.deepEqual([made.made, made.documents], [true, storedDocuments]);

    // Readable without keys (its manifest), but nothing in it is plain: no dump's signature, no master key.
    const folder = path.join(backups, backupId);
    const { manifest } = readManifest(await readFile(path.join(folder, manifestFile)), manifestFile);
    assert.equal(manifest.counts.registrations, 3);
    assert.equal(manifest.counts.audit_log, before.audit.length);
    assert.equal(manifest.documents.length, storedDocuments);
    assert.equal(manifest.temporal.included, sqlite3 !== undefined, manifest.temporal.note);
    for (const file of await readdir(folder)) {
      const bytes = await readFile(path.join(folder, file));
      assert.ok(!bytes.includes(keyring.current.key) && !bytes.includes(keyring.current.key.toString('base64')), 'the master key is never in a backup');
      // The manifest names tables (its counts); the parts name nothing.
      if (file !== manifestFile) assert.ok(!bytes.includes('PGDMP') && !bytes.includes('registration_documents') && !bytes.includes('LFE1'), `${file} is encrypted`);
    }

    // The disaster: the system stops, its database and its document store are gone.
    await sut!.stop();
    sut = undefined;
    await database.drop();
    await rm(storageDir, { recursive: true, force: true });
    assert.equal(await relationCount(database.url), 0);

    const restoredTemporal = path.join(scratch, 'restored-temporal', 'temporal.db');
    const restored = await run(process.execPath, ['--import', 'tsx', 'scripts/restore.ts', folder, ...(sqlite3 === undefined ? [] : ['--temporal-db', restoredTemporal])], {
      env: { ...process.env, DATABASE_URL: database.url, DOCUMENT_STORAGE_DIR: storageDir },
    });
    const report = JSON.parse(restored.stdout) as { id: string; counts: Record<string, number>; documents: number; temporal: string };
    assert.deepEqual([report.id, report.counts.registrations, report.documents], [backupId, 3, storedDocuments]);
    assert.equal(report.temporal, sqlite3 === undefined ? 'not in the backup' : 'restored');
    if (sqlite3 !== undefined) assert.equal((await run(sqlite3, [restoredTemporal, 'SELECT id FROM executions'])).stdout.trim(), 'driver-registration-1');

    const after = await stateOf(database.url, storageDir);
    assert.deepEqual(after.registrations, before.registrations);
    assert.deepEqual(after.documents, before.documents);
    assert.deepEqual(after.audit, before.audit);
    assert.deepEqual(after.dataKeys, before.dataKeys);
    assert.deepEqual(after.files, before.files, 'every document file back, byte for byte');
    assert.deepEqual(after.chain, before.chain);

    // The workflows carry on (Temporal kept them): the same task queue, the restored database and store.
    sut = await startTestSystem({ TEMPORAL_TASK_QUEUE: taskQueue, DOCUMENT_STORAGE_DIR: storageDir, BACKUP_DIR: path.join(scratch, 'scheduled') }, { databaseUrl: database.url });
    const second = await sut.asReviewer('GET', `/drivers/${ids[1]}`);
    assert.equal(second.body.nif, payloads[1]!.nif, 'the personal fields open with the restored data keys');
    const front = (second.body.documents as Array<{ kind: string; links: { original: string } }>).find((doc) => doc.kind === 'licence_front')!;
    const photo = await fetch(`${sut.system.apiUrl}${front.links.original}`, { headers: { authorization: `Bearer ${sut.reviewerToken}` } });
    const row = before.documents.find((doc) => doc.registration_id === ids[1] && doc.kind === 'licence_front')!;
    assert.equal(sha256(Buffer.from(await photo.arrayBuffer())), row.sha256, 'the document opens and is the one stored');
    assert.deepEqual(await sut.asReviewer('POST', `/drivers/${ids[1]}/approve`), { status: 200, body: { registration_id: ids[1], status: 'approved' } });
    await sut.system.temporal.workflow.getHandle(workflowIdOf(ids[1]!)).result();
    const phone = `351${String(payloads[1]!.telefone).replace(/\s/g, '')}`;
    await eventually(async () => (sut!.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 20_000, 'the driver told on WhatsApp');
    assert.ok((await verifyAuditChain(sut.system.db)).ok, 'the audit chain goes on from the restored one');
  });

  it('takes the files of rows written after the store was listed, and is not kept when a file its rows name went during it', async () => {
    const inner = createFileStorage(sut!.config.DOCUMENT_STORAGE_DIR);
    const sources = backupSourcesOf(sut!.config, database.url, keyring);
    const late = `registrations/${ids[2]}/`;
    // As if the third registration's files were written after the first pass listed the store.
    const listedBefore = { ...inner, list: async (prefix: string) => (await inner.list(prefix)).filter((file) => !file.key.startsWith(late)) };
    const target = folderTarget(path.join(scratch, 'consistency'));
    assert.equal((await makeBackup({ ...sources, store: listedBefore }, target, '20300102T000000Z')).made, true);
    const { manifest } = readManifest(await readFile(path.join(target.where, '20300102T000000Z', manifestFile)), manifestFile);
    const named = (await sut!.system.db.query<{ key: string }>('SELECT storage_key AS key FROM registration_documents WHERE registration_id = $1', [ids[2]])).rows.map((row) => row.key);
    assert.equal(named.length, 3);
    for (const key of named) assert.ok(manifest.documents.some((entry) => entry.key === key), `${key} is in the backup`);

    // As if a file its rows name was deleted between the first pass and the second.
    const gone = { ...inner, get: async (key: string) => (key === named[0] ? Promise.reject(new AppError(ErrorType.NotFound, 'gone')) : inner.get(key)) };
    await assert.rejects(makeBackup({ ...sources, store: gone }, target, '20300103T000000Z'), /1 document file\(s\) the database names were deleted while the backup ran .*: this backup was not kept; make it again/);
    assert.deepEqual(await target.list(), { complete: ['20300102T000000Z'], incomplete: [] });
  });

  it('refuses a database or a store that is not empty, and changes nothing', async () => {
    const source = folderTarget(backups);
    const running = await stateOf(database.url, sut!.config.DOCUMENT_STORAGE_DIR);
    const freshStore = await mkdtemp(path.join(scratch, 'fresh-store-'));
    await assert.rejects(restoreBackup(source, backupId, { databaseUrl: database.url, storageDir: freshStore, keyring }), (error: Error) => {
      assert.ok(error instanceof BackupRefused);
      assert.match(error.message, /^The database leguas_backup_\S+ is not empty \(\d+ tables, views or sequences\): a backup is restored only into an empty database\./);
      return true;
    });
    await assert.rejects(restoreBackup(source, backupId, { databaseUrl: empty.url, storageDir: sut!.config.DOCUMENT_STORAGE_DIR, keyring }), /^BackupRefused: The document store .* is not empty: a backup is restored only into an empty store\./);
    assert.deepEqual(await stateOf(database.url, sut!.config.DOCUMENT_STORAGE_DIR), running);
    assert.deepEqual(await filesIn(freshStore), {});
    assert.equal(await relationCount(empty.url), 0);
  });

  it('refuses master keys that are not the ones it was made with, in words an operator acts on, and changes nothing', async () => {
    const source = folderTarget(backups);
    const other = parseMasterKeys(newMasterKey('another-key'));
    await assert.rejects(restoreBackup(source, backupId, { ...(await emptyTarget()), keyring: other }),
      new RegExp(`was made with master key "${keyring.current.id}", which MASTER_KEYS does not hold \\(it holds "another-key"\\)\\. Restore with the MASTER_KEYS the system had when the backup was made\\.`));
    const sameIdOtherKey = parseMasterKeys(newMasterKey(keyring.current.id));
    const into = await emptyTarget();
    await assert.rejects(restoreBackup(source, backupId, { ...into, keyring: sameIdOtherKey }), /does not open with the master key ".*" in MASTER_KEYS: that is not the key the backup was made with/);
    assert.equal(await relationCount(empty.url), 0);
    assert.deepEqual(await filesIn(into.storageDir), {});
  });

  it('refuses a backup that was changed or cut short, before touching anything', async () => {
    const tamper = async (change: (folder: string) => Promise<void>) => {
      const copies = await mkdtemp(path.join(scratch, 'tampered-'));
      await cp(path.join(backups, backupId), path.join(copies, backupId), { recursive: true });
      await change(path.join(copies, backupId));
      const into = await emptyTarget();
      const refusal = await restoreBackup(folderTarget(copies), backupId, { ...into, keyring }).then(() => undefined, (error: Error) => error);
      assert.ok(refusal instanceof BackupRefused, String(refusal));
      assert.equal(await relationCount(empty.url), 0, 'no database made');
      assert.deepEqual(await filesIn(into.storageDir), {}, 'no document written');
      assert.deepEqual((await readdir(path.dirname(into.storageDir))).filter((name) => name.startsWith('.restore-')), [], 'nothing unpacked is left behind');
      return refusal.message;
    };
    const flipByte = (file: string) => async (folder: string) => {
      const bytes = await readFile(path.join(folder, file));
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      await writeFile(path.join(folder, file), bytes);
    };
    assert.match(await tamper(flipByte(partFiles.documents)), /documents part was changed or is incomplete \(.*chunk \d+ was changed/);
    assert.match(await tamper(async (folder) => truncate(path.join(folder, partFiles.database), 100)), /database part was changed or is incomplete \(.*cut short/);
    assert.match(await tamper(async (folder) => {
      const file = path.join(folder, manifestFile);
      await writeFile(file, (await readFile(file, 'utf8')).replace('"registrations":3', '"registrations":4'));
    }), /manifest was changed after the backup was made \(its seal does not verify\)/);
  });

  it('keeps backups in S3 (a real S3 endpoint), prunes all but the newest, and restores from there', { skip: versitygwMissing() ?? false, timeout: 120_000 }, async () => {
    const s3 = await startS3();
    const target = s3Target({ bucket: s3.bucket, prefix: 'leguas/backups', endpoint: s3.endpoint, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    try {
      const sources = backupSourcesOf(sut!.config, database.url, keyring);
      const [older, newer] = ['20300101T000000Z', '20300101T000001Z'];
      for (const id of [older, newer]) assert.equal((await makeBackup(sources, target, id)).made, true);
      assert.equal((await makeBackup(sources, target, newer)).made, false, 'made once per id');
      assert.deepEqual(await target.list(), { complete: [older, newer], incomplete: [] });
      assert.deepEqual(await pruneBackups(target, 1), [older]);
      assert.deepEqual((await target.list()).complete, [newer]);
      assert.ok(existsSync(path.join(s3.root, s3.bucket, 'leguas', 'backups', newer, manifestFile)), 'through S3 onto the gateway\'s disk');

      const source = await stateOf(database.url, sut!.config.DOCUMENT_STORAGE_DIR);
      const storageDir = await mkdtemp(path.join(scratch, 'from-s3-'));
      const report = await restoreBackup(target, newer, { databaseUrl: fromS3.url, storageDir, keyring });
      assert.equal(report.counts.registrations, source.registrations.length);
      const restored = await stateOf(fromS3.url, storageDir);
      assert.deepEqual([restored.registrations, restored.documents, restored.audit, restored.files], [source.registrations, source.documents, source.audit, source.files]);
      assert.ok(restored.chain.ok);
    } finally {
      target.close();
      await s3.stop();
    }
  });

  it('backs up a document store kept in S3 (DOCUMENT_STORAGE=s3), restores it only into a folder, and refuses to restore into S3', { skip: versitygwMissing() ?? false, timeout: 120_000 }, async () => {
    const s3 = await startS3();
    const client = createS3Client({ endpoint: s3.endpoint, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    try {
      // The running system's store, sealed bytes as kept, moved into a bucket.
      const folder = createFileStorage(sut!.config.DOCUMENT_STORAGE_DIR);
      const bucket = createS3Storage({ client, bucket: s3.bucket, prefix: 'documents/' });
      const keys = (await Promise.all(storageFolders.map((under) => folder.list(under)))).flat().map((entry) => entry.key);
      assert.ok(keys.length >= 9, `${keys.length} documents`);
      for (const key of keys) {
        const kept = await folder.get(key);
        await bucket.put(key, kept.bytes, kept.contentType);
      }
      const documentsOnS3 = {
        DOCUMENT_STORAGE: 's3', DOCUMENT_S3_BUCKET: s3.bucket, DOCUMENT_S3_PREFIX: 'documents/', DOCUMENT_S3_ENDPOINT: s3.endpoint, DOCUMENT_S3_REGION: s3.region,
        DOCUMENT_S3_ACCESS_KEY_ID: s3.accessKeyId, DOCUMENT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      };
      const elsewhere = await mkdtemp(path.join(scratch, 'no-documents-here-'));
      const kept = path.join(scratch, 'kept-from-s3');
      const backedUp = await run(process.execPath, ['--import', 'tsx', 'scripts/backup.ts'], {
        env: { ...process.env, DATABASE_URL: database.url, DOCUMENT_STORAGE_DIR: elsewhere, BACKUP_DIR: kept, ...documentsOnS3 },
      });
      const made = JSON.parse(backedUp.stdout) as { id: string; made: boolean; documents: number };
      assert.deepEqual([made.made, made.documents], [true, keys.length], 'the documents read from the bucket, not from DOCUMENT_STORAGE_DIR');

      const restoreInto = await mkdtemp(path.join(scratch, 'restored-from-s3-store-'));
      const refused = await run(process.execPath, ['--import', 'tsx', 'scripts/restore.ts', path.join(kept, made.id)], {
        env: { ...process.env, DATABASE_URL: fromS3Store.url, DOCUMENT_STORAGE_DIR: restoreInto, ...documentsOnS3 },
      }).then(() => undefined, (error: { code?: number; stderr?: string }) => error);
      assert.equal(refused?.code, 1);
      assert.match(refused?.stderr ?? '', /^DOCUMENT_STORAGE=s3: npm run restore puts documents back only into a folder, so run it with DOCUMENT_STORAGE=file and DOCUMENT_STORAGE_DIR an empty folder, and bring an S3 document store back with the bucket's own versioning or replication/m);
      assert.equal(await relationCount(fromS3Store.url), 0, 'nothing restored');
      assert.deepEqual(await filesIn(restoreInto), {});

      await run(process.execPath, ['--import', 'tsx', 'scripts/restore.ts', path.join(kept, made.id)], {
        env: { ...process.env, DATABASE_URL: fromS3Store.url, DOCUMENT_STORAGE_DIR: restoreInto },
      });
      const source = await stateOf(database.url, sut!.config.DOCUMENT_STORAGE_DIR);
      const restored = await stateOf(fromS3Store.url, restoreInto);
      assert.deepEqual([restored.documents, restored.files], [source.documents, source.files], 'every document back from the bucket, byte for byte');
    } finally {
      client.destroy();
      await s3.stop();
    }
  });

  it('runs on a Temporal Schedule, one backup per scheduled time, keeping the newest BACKUP_KEEP', { timeout: 120_000 }, async () => {
    const scheduled = folderTarget(path.join(scratch, 'scheduled'));
    await ensureBackupSchedule(sut!.system.temporal, { TEMPORAL_TASK_QUEUE: taskQueue, BACKUP_EVERY: 2_000, BACKUP_KEEP: 2 });
    const handle = sut!.system.temporal.schedule.getHandle(backupScheduleId(taskQueue));
    const seen = new Set<string>();
    const done = await eventually(async () => {
      const { complete } = await scheduled.list();
      complete.forEach((id) => seen.add(id));
      return seen.size >= 3 && complete.length === 2 ? complete : undefined;
    }, 90_000, 'three scheduled backups made, the newest two kept');
    await handle.delete();
    assert.ok(done[0]! < done[1]! && [...seen].sort().slice(-2).join() === done.join(), `kept ${done.join()} of ${[...seen].join()}`);
    const { manifest } = readManifest(await readFile(path.join(scheduled.where, done[1]!, manifestFile)), manifestFile);
    assert.equal(manifest.counts.registrations, 3);
    // The worker's metric says when the newest backup was made (BackupMissing alerts on it).
    const exposition = await (await fetch(`${sut!.system.apiUrl}/metrics`)).text();
    const gauge = /^backup_last_success_timestamp_seconds (\S+)$/m.exec(exposition)?.[1];
    // (A run already started when the schedule was deleted may have made a newer one since.)
    const made = new Set((await scheduled.list()).complete.map((id) => backupTimeOf(id)!.getTime() / 1000));
    assert.ok(made.has(Number(gauge)) && Number(gauge) >= backupTimeOf(done[1]!)!.getTime() / 1000, `the gauge (${gauge}) at the newest backup, ${done[1]} or later`);
  });
});
