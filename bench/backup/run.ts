/**
 * `npm run bench:backup`: how long a backup and a restore take for 1,000 registrations with their
 * documents (README, "Backups and restore"). The registrations go through the real system, as in
 * `npm run bench:registration` (same documents and settings: two ~2 MB photos and a ~300 KB PDF
 * each, 20 at a time), then the API and worker stop and the backup is made into a folder (the
 * database's dump, every document file, encrypted) and restored into a new database and an empty
 * store, which the restore checks row for row against the manifest. Prints one JSON object on
 * stdout (logs go to stderr) and stops and removes everything it made, also when it fails.
 * BENCH_REGISTRATIONS (default 1000) and the registration bench's other knobs apply.
 */
import os from 'node:os';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { backupIdOf } from '../../domain/backup.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import { makeBackup } from '../../platform/backup/make-backup.ts';
import { readManifest, manifestFile } from '../../platform/backup/manifest.ts';
import { restoreBackup } from '../../platform/backup/restore-backup.ts';
import { folderTarget } from '../../platform/backup/targets.ts';
import { parseMasterKeys } from '../../platform/crypto/keyring.ts';
import { createDb } from '../../platform/db.ts';
import { createFileStorage } from '../../platform/storage/file-storage.ts';
import { verifyAuditChain } from '../../platform/stores/audit.ts';
import { dropDatabase } from '../../platform/stores/databases.ts';
import type { ReadyMessage } from '../shared/child-messages.ts';
import { startSystemChild } from '../shared/child-process.ts';
import type { Cleanups } from '../shared/cleanups.ts';
import { machineInfo, round } from '../shared/process-stats.ts';
import { runBench } from '../shared/run-bench.ts';
import { childNodeFlags } from '../shared/settings.ts';
import { terminateWorkflows } from '../shared/workflows.ts';
import { writeBenchDocuments } from '../registration/bench-documents.ts';
import { startBenchEnvironment } from '../registration/bench-environment.ts';
import { imageWorkEnv, loadBenchSettings } from '../registration/bench-settings.ts';
import { runSettledLoad } from '../registration/load.ts';

const log = (line: string) => console.error(`[bench] ${line}`);

async function folderBytes(folder: string): Promise<{ files: number; bytes: number }> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(path.join(entry.parentPath, entry.name))).size));
  return { files: sizes.length, bytes: sizes.reduce((total, size) => total + size, 0) };
}

const megabytes = (bytes: number) => round(bytes / 1024 / 1024, 1);

async function main(cleanups: Cleanups): Promise<Record<string, unknown>> {
  const settings = loadBenchSettings({ BENCH_REGISTRATIONS: '1000', BENCH_TIMEOUT_SECONDS: '1800', ...process.env });
  const loadAverageAtStart = os.loadavg()[0] ?? 0;
  const env = await startBenchEnvironment(settings, cleanups, log);
  const storageDir = env.systemEnv.DOCUMENT_STORAGE_DIR!;
  const scratch = path.dirname(storageDir);
  const documents = await writeBenchDocuments(env.documentsDir, settings);

  const connection = await Connection.connect({ address: env.temporalAddress });
  cleanups.add('Temporal client', () => connection.close());
  const temporal = new Client({ connection, namespace: env.systemEnv.TEMPORAL_NAMESPACE! });
  const taskQueue = env.systemEnv.TEMPORAL_TASK_QUEUE!;
  const registered = new Set<string>();
  cleanups.add('registration workflows', () => terminateWorkflows(temporal, [taskQueue], [...registered].map(workflowIdOf)));

  // The scheduled backup stays off: this run makes its own.
  const childEnv = { ...env.systemEnv, ...imageWorkEnv(settings), BACKUP_SCHEDULE: 'false' };
  const worker = startSystemChild<ReadyMessage>('worker', childEnv, childNodeFlags(settings));
  cleanups.add('worker process', () => worker.stop());
  const api = startSystemChild<ReadyMessage>('api', childEnv, childNodeFlags(settings));
  cleanups.add('API process', () => api.stop());
  const [, apiReady] = await Promise.all([worker.first, api.first]);
  if (apiReady.apiUrl === undefined) throw new Error('The API process reported no URL');
  log(`Registering ${settings.BENCH_REGISTRATIONS} drivers with their documents, ${settings.BENCH_CONCURRENCY} at a time`);
  const load = await runSettledLoad({
    apiUrl: apiReady.apiUrl, intakeSecret: env.systemEnv.INTAKE_SHARED_SECRET!, databaseUrl: env.databaseUrl, documents, onRegistered: (id) => registered.add(id),
  }, settings, [worker, api]);
  log(`All ${settings.BENCH_REGISTRATIONS} pending approval after ${(load.endToEndMs / 1000).toFixed(1)} s; stopping the API and the worker`);
  await api.stop();
  await worker.stop();

  const keyring = parseMasterKeys(env.systemEnv.MASTER_KEYS!);
  const target = folderTarget(path.join(scratch, 'backups'));
  const id = backupIdOf(new Date());
  const store = await folderBytes(storageDir);
  log(`Backing up (${store.files} files, ${megabytes(store.bytes)} MB in the store)`);
  const backupStarted = performance.now();
  const made = await makeBackup({ databaseUrl: env.databaseUrl, store: createFileStorage(storageDir), keyring }, target, id);
  const backupMs = performance.now() - backupStarted;
  const { manifest } = readManifest(await readFile(path.join(target.where, id, manifestFile)), manifestFile);

  const restoredName = `leguas_bench_restored_${Date.now()}`;
  const restoredUrl = new URL(env.databaseUrl);
  restoredUrl.pathname = `/${restoredName}`;
  const adminUrl = new URL(env.databaseUrl);
  adminUrl.pathname = '/postgres';
  cleanups.add(`database ${restoredName}`, () => dropDatabase(adminUrl.toString(), restoredName));
  const restoredStore = path.join(scratch, 'restored-storage');
  await mkdir(path.dirname(restoredStore), { recursive: true });
  log(`Restoring backup ${id} (${megabytes(made.bytes)} MB) into a new database and an empty store`);
  const restoreStarted = performance.now();
  const report = await restoreBackup(target, id, { databaseUrl: restoredUrl.toString(), storageDir: restoredStore, keyring, progress: log });
  const restoreMs = performance.now() - restoreStarted;
  const db = createDb(restoredUrl.toString());
  const chain = await verifyAuditChain(db).finally(() => db.end());

  const part = (name: string) => manifest.parts.find((entry) => entry.name === name)?.size ?? 0;
  return {
    benchmark: 'backup',
    registrations: settings.BENCH_REGISTRATIONS,
    registrations_restored: report.counts.registrations,
    documents: made.documents,
    store_mb: megabytes(store.bytes),
    backup_mb: megabytes(made.bytes),
    database_dump_mb: megabytes(part('database')),
    documents_part_mb: megabytes(part('documents')),
    backup_seconds: round(backupMs / 1000, 1),
    restore_seconds: round(restoreMs / 1000, 1),
    restored_store_mb: megabytes((await folderBytes(restoredStore)).bytes),
    audit_chain_after_restore: { rows: chain.rows, ok: chain.ok },
    registration_seconds: round(load.endToEndMs / 1000, 1),
    postgres: manifest.postgres,
    machine: { ...machineInfo(loadAverageAtStart), temporal: env.temporalOrigin, postgres: env.databaseOrigin },
  };
}

runBench(log, main);
