/**
 * The Temporal server on PostgreSQL as `npm start` runs it with TEMPORAL_MODE=server: databases
 * kept from one start to the next (a workflow started before a restart is still there, its schema
 * not set up a second time), a port in use refused before anything starts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { ensureTemporal, postgresTarget, temporalModeFrom } from '../../scripts/lib/temporal-target.ts';
import { dropDatabase } from '../../platform/stores/databases.ts';
import { testEnvironment } from '../support/test-system.ts';

const adminUrl = () => {
  const url = new URL(testEnvironment().databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
};

describe('the Temporal server on PostgreSQL (TEMPORAL_MODE=server)', { timeout: 6 * 60_000 }, () => {
  let dir: string;
  const suffix = `${Date.now()}_${randomBytes(3).toString('hex')}`;
  const databases = { temporal: `temporal_kept_${suffix}`, visibility: `temporal_kept_visibility_${suffix}` };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'temporal-server-kept-'));
  });
  after(async () => {
    for (const database of Object.values(databases)) await dropDatabase(adminUrl(), database);
    await rm(dir, { recursive: true, force: true });
  });

  test('keeps its databases from one start to the next: a workflow started before a restart is still there', async () => {
    const options = { namespace: 'default', server: { postgres: postgresTarget(adminUrl()), databases, dir } };
    const first = await ensureTemporal(options);
    assert.equal(first.started?.kind, 'server on PostgreSQL');
    const workflowId = `kept-${suffix}`;
    let connection = await Connection.connect({ address: first.address });
    try {
      // No worker: the start alone is recorded in the server's database.
      await new Client({ connection }).workflow.start('nothingRunsThis', { taskQueue: `nobody-${suffix}`, workflowId });
    } finally {
      await connection.close();
    }
    await first.started.stop();
    assert.match(await first.started.exited, /exit code|killed by/);

    const second = await ensureTemporal(options);
    try {
      connection = await Connection.connect({ address: second.address });
      const described = await new Client({ connection }).workflow.getHandle(workflowId).describe().catch((error: Error) => {
        // The server's own words (the SDK's message is only "Failed to describe workflow").
        throw new Error(`${error.message}: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`, { cause: error });
      });
      assert.equal(described.status.name, 'RUNNING');
      await connection.close();
    } finally {
      await second.started!.stop();
    }
  });

  test('a port in use is refused with a clear message before the server starts', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as net.AddressInfo;
      await assert.rejects(
        ensureTemporal({ namespace: 'default', port, server: { postgres: postgresTarget(adminUrl()), databases, dir } }),
        new RegExp(`port 127\\.0\\.0\\.1:${port} is already in use`),
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('TEMPORAL_MODE and the PostgreSQL it names', () => {
  test('postgresTarget reads host, port, user and an encoded password', () => {
    assert.deepEqual(postgresTarget('postgres://postgres:p%40ss%2Fw@db.internal:6543/postgres'), { host: 'db.internal', port: 6543, user: 'postgres', password: 'p@ss/w' });
    assert.deepEqual(postgresTarget('postgres://postgres@127.0.0.1/postgres'), { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' });
  });

  test('temporalModeFrom takes dev (the default) or server and refuses anything else', () => {
    assert.equal(temporalModeFrom({}), 'dev');
    assert.equal(temporalModeFrom({ TEMPORAL_MODE: ' server ' }), 'server');
    assert.throws(() => temporalModeFrom({ TEMPORAL_MODE: 'cluster' }), /TEMPORAL_MODE=cluster is not one of dev, server/);
  });
});
