/**
 * What every bench runs on, each piece registered for cleanup as soon as it exists: a scratch
 * folder, a fresh PostgreSQL database on the server the project finds, migrated, dropped at the
 * end, and Temporal (TEMPORAL_ADDRESS, else an in-memory headless dev server, or with
 * TEMPORAL_MODE=server the Temporal server on that PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase } from '../../platform/stores/databases.ts';
import { bundleWorkflowCode } from '@temporalio/worker';
import { findOrStartDatabase } from '../../platform/database-server.ts';
import { migrate } from '../../platform/migrate.ts';
import { ensureTemporal, postgresTarget } from '../../scripts/lib/temporal-target.ts';
import type { TemporalMode } from '../../platform/config.ts';

export type TemporalOrigin = 'TEMPORAL_ADDRESS' | 'dev server (in memory)' | 'Temporal server on PostgreSQL';
import type { Cleanups } from './cleanups.ts';
import { failureConverterPath } from '../../platform/crypto/data-converter.ts';
import { newMasterKey } from '../../platform/crypto/keyring.ts';

export interface Infrastructure {
  /** Removed at the end. */
  scratch: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** Set when this run started Temporal. */
  temporalPid: number | undefined;
  temporalOrigin: TemporalOrigin;
  databaseUrl: string;
  databaseOrigin: string;
}

export async function startInfrastructure(
  settings: {
    TEMPORAL_ADDRESS?: string | undefined;
    TEMPORAL_MODE?: TemporalMode | undefined;
    BENCH_TEMPORAL_DYNAMIC_CONFIG?: Record<string, string | number | boolean> | undefined;
    DATABASE_URL?: string | undefined;
  },
  cleanups: Cleanups,
  log: (line: string) => void,
): Promise<Infrastructure> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'leguas-bench-'));
  cleanups.add('scratch folder', () => rm(scratch, { recursive: true, force: true }));

  const database = await findOrStartDatabase({ configuredUrl: settings.DATABASE_URL, dataDir: 'data', log });
  cleanups.add('PostgreSQL server', () => database.stop());
  const databaseName = `leguas_bench_${Date.now()}`;
  const databaseUrl = database.url(databaseName);
  cleanups.add(`database ${databaseName}`, () => dropDatabase(database.adminUrl, databaseName));
  await migrate(databaseUrl);
  log(`PostgreSQL database ${databaseName} (${database.origin}) migrated`);

  const temporal = await ensureTemporal({
    ...(settings.TEMPORAL_ADDRESS === undefined ? {} : { address: settings.TEMPORAL_ADDRESS }),
    ...(settings.TEMPORAL_MODE === 'server' ? { server: { postgres: postgresTarget(database.adminUrl) } } : {}),
    namespace: 'default',
    headless: true,
    ...(settings.BENCH_TEMPORAL_DYNAMIC_CONFIG === undefined ? {} : { dynamicConfig: settings.BENCH_TEMPORAL_DYNAMIC_CONFIG }),
    logFile: path.join(scratch, 'temporal.log'),
    log,
  });
  if (temporal.started !== undefined) cleanups.add(`Temporal ${temporal.started.kind}`, () => temporal.started!.stop());
  log(`Temporal at ${temporal.address}`);
  const temporalOrigin: TemporalOrigin = temporal.started === undefined ? 'TEMPORAL_ADDRESS' : temporal.started.kind === 'dev server' ? 'dev server (in memory)' : 'Temporal server on PostgreSQL';

  return {
    scratch,
    temporalAddress: temporal.address,
    temporalNamespace: temporal.namespace,
    temporalPid: temporal.started?.pid,
    temporalOrigin,
    databaseUrl,
    databaseOrigin: database.origin,
  };
}

const benchMasterKey = newMasterKey('bench');

/**
 * What the API and worker processes of every bench share, as environment variables: production
 * mode, quiet logs, a free port, this run's database and Temporal, and the given task queue,
 * document storage and WPPConnect simulator.
 */
export function systemEnvironment(
  infrastructure: Infrastructure,
  part: { taskQueue: string; storageDir: string; wpp: { url: string; session: string; secretKey: string } },
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: infrastructure.databaseUrl,
    TEMPORAL_ADDRESS: infrastructure.temporalAddress,
    TEMPORAL_NAMESPACE: infrastructure.temporalNamespace,
    TEMPORAL_TASK_QUEUE: part.taskQueue,
    DOCUMENT_STORAGE_DIR: part.storageDir,
    WPPCONNECT_URL: part.wpp.url,
    WPPCONNECT_SESSION: part.wpp.session,
    WPPCONNECT_SECRET_KEY: part.wpp.secretKey,
    // Production requires the intake's secret; the load posts it as Typebot does. The intake's slots
    // are the defaults (INTAKE_MAX_IN_FLIGHT 8, the rest waiting in line up to INTAKE_QUEUE_WAIT).
    INTAKE_SHARED_SECRET: randomBytes(24).toString('base64url'),
    // Production encrypts stored files and Temporal payloads: one key for the run, shared by every process.
    MASTER_KEYS: benchMasterKey,
    // Also required in production: the console's cookie secret and the API's /metrics token, made up for the run.
    CONSOLE_SESSION_SECRET: randomBytes(32).toString('base64url'),
    METRICS_TOKEN: randomBytes(24).toString('base64url'),
  };
}

/** Bundles the workflows exported by `workflowsPath` once, into `file`, for worker processes to load. */
export async function writeWorkflowBundle(workflowsPath: string, file: string, log: (line: string) => void): Promise<string> {
  const quiet = () => undefined;
  const bundle = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: { info: quiet, debug: quiet, trace: quiet, log: quiet, warn: log, error: log } });
  await writeFile(file, bundle.code);
  log(`Workflow bundle ready (${path.basename(file)})`);
  return file;
}
