import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { createDb, inTransaction } from '../../platform/db.ts';
import { eventually, testEnvironment } from '../support/test-system.ts';

describe('the database pool', () => {
  it('sets the statement, idle-in-transaction and connect timeouts it is given on every connection', async () => {
    const db = createDb(testEnvironment().databaseUrl, { statementTimeoutMs: 1500, idleInTransactionTimeoutMs: 2500, connectTimeoutMs: 1000 });
    try {
      const { rows } = await db.query<{ statement_timeout: string; idle: string }>(
        "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('idle_in_transaction_session_timeout') AS idle",
      );
      assert.deepEqual(rows[0], { statement_timeout: '1500ms', idle: '2500ms' });
      await assert.rejects(db.query('SELECT pg_sleep(3)'), (error: unknown) => error instanceof pg.DatabaseError && error.code === '57014', 'a statement past the timeout is cancelled');
    } finally {
      await db.end();
    }
  });

  it('reports an idle connection that fails instead of swallowing it, and keeps working', async () => {
    const reported: Array<{ code?: string }> = [];
    const db = createDb(testEnvironment().databaseUrl, { onError: (error) => reported.push(error) });
    const killer = new pg.Client({ connectionString: testEnvironment().databaseUrl });
    await killer.connect();
    try {
      const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // The pool's connection is idle again: end it from the server side, as a restart or a proxy would.
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await eventually(async () => (reported.length > 0 ? true : undefined), 10_000, 'the failure reported');
      assert.equal(reported[0]!.code, '57P01', 'admin_shutdown, by its code');
      assert.equal((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
    } finally {
      await killer.end();
      await db.end();
    }
  });

  it('fails a transaction whose connection the server ends between two statements, without an unhandled error, and keeps working', async () => {
    const db = createDb(testEnvironment().databaseUrl, { onError: () => undefined });
    const killer = new pg.Client({ connectionString: testEnvironment().databaseUrl });
    await killer.connect();
    const alive = async (pid: number) => (await killer.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 1;
    try {
      // Between two statements the client is checked out with none running: a restart's notice then
      // reaches the client itself, which ended the process (the fault matrix's PostgreSQL restart, in CI).
      const transaction = inTransaction(db, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const pid = rows[0]!.pid;
        await killer.query('SELECT pg_terminate_backend($1)', [pid]);
        await eventually(async () => (await alive(pid) ? undefined : true), 10_000, 'the connection ended');
        await new Promise((resolve) => setTimeout(resolve, 100));
        await client.query('SELECT 1');
      });
      await assert.rejects(transaction, 'the transaction fails with its connection');
      assert.equal((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1, 'the pool hands out a live connection');
      assert.equal(db.totalCount, 1, 'the dead client was dropped, not pooled again');
    } finally {
      await killer.end();
      await db.end();
    }
  });
});
