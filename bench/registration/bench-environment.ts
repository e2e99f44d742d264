/**
 * Everything a run needs, each piece registered for cleanup as soon as it exists: a scratch folder
 * (documents, storage, workflow bundle, Temporal log), Temporal (TEMPORAL_ADDRESS, else an
 * in-memory headless dev server), a fresh PostgreSQL database on the server the project finds,
 * migrated, and a WPPConnect simulator.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { findOrStartDatabase } from '../../platform/database-server.ts';
import { migrate } from '../../platform/migrate.ts';
import { ensureTemporal } from '../../scripts/lib/temporal-dev-server.ts';
import { startWppConnectSimulator } from '../../test/simulators/wppconnect/index.ts';
import { workflowsPath } from '../../workers/registration-worker.ts';
import type { BenchSettings } from './bench-settings.ts';
import type { Cleanups } from './cleanups.ts';

export interface BenchEnvironment {
  temporalAddress: string;
  /** Set when this run started the Temporal dev server. */
  temporalPid: number | undefined;
  temporalOrigin: 'TEMPORAL_ADDRESS' | 'dev server (in memory)';
  databaseUrl: string;
  databaseOrigin: string;
  documentsDir: string;
  /** Configuration of the API and worker processes, as environment variables. */
  systemEnv: Record<string, string>;
}

export async function startBenchEnvironment(settings: BenchSettings, cleanups: Cleanups, log: (line: string) => void): Promise<BenchEnvironment> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'leguas-bench-'));
  cleanups.add('scratch folder', () => rm(scratch, { recursive: true, force: true }));
  const documentsDir = path.join(scratch, 'documents');
  const storageDir = path.join(scratch, 'storage');
  await mkdir(documentsDir);
  await mkdir(storageDir);

  const temporal = await ensureTemporal({
    ...(settings.TEMPORAL_ADDRESS === undefined ? {} : { address: settings.TEMPORAL_ADDRESS }),
    namespace: 'default',
    headless: true,
    logFile: path.join(scratch, 'temporal.log'),
    log,
  });
  if (temporal.started !== undefined) cleanups.add('Temporal dev server', () => temporal.started!.stop());
  log(`Temporal at ${temporal.address}`);

  const database = await findOrStartDatabase({ configuredUrl: settings.DATABASE_URL, dataDir: 'data', log });
  cleanups.add('PostgreSQL server', () => database.stop());
  const databaseName = `leguas_bench_${Date.now()}`;
  const databaseUrl = database.url(databaseName);
  cleanups.add(`database ${databaseName}`, async () => {
    const admin = new pg.Client({ connectionString: database.adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });
  await migrate(databaseUrl);
  log(`PostgreSQL database ${databaseName} (${database.origin}) migrated`);

  const secretKey = `bench-${randomBytes(12).toString('hex')}`;
  const wpp = await startWppConnectSimulator({ secretKey, session: 'bench' });
  cleanups.add('WPPConnect simulator', () => wpp.close());

  const quiet = () => undefined;
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: { info: quiet, debug: quiet, trace: quiet, log: quiet, warn: log, error: log } });
  const bundlePath = path.join(scratch, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  log('Workflow bundle ready');

  return {
    temporalAddress: temporal.address,
    temporalPid: temporal.started?.pid,
    temporalOrigin: temporal.started === undefined ? 'TEMPORAL_ADDRESS' : 'dev server (in memory)',
    databaseUrl,
    databaseOrigin: database.origin,
    documentsDir,
    systemEnv: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: `bench-registration-${randomUUID()}`,
      DOCUMENT_STORAGE_DIR: storageDir,
      REVIEWER_TOKENS: `bench:${randomBytes(18).toString('base64url')}`,
      REVIEWER_REMINDER_AFTER: '48h',
      REVIEWER_REMINDER_EVERY: '24h',
      WPPCONNECT_URL: wpp.url,
      WPPCONNECT_SESSION: wpp.session,
      WPPCONNECT_SECRET_KEY: secretKey,
      BENCH_WORKFLOW_BUNDLE: bundlePath,
      BENCH_DOCUMENTS_DIR: documentsDir,
    },
  };
}
