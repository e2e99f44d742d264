import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runner } from 'node-pg-migrate';
import { createDb, type Db } from '../../platform/db.ts';
import { migrate } from '../../platform/migrate.ts';
import { insertAuditEntry, verifyAuditChain } from '../../platform/stores/audit.ts';
import { migrationsDir, ownDatabase } from '../support/own-database.ts';

/** The migrations before the audit chain's. */
const before1767 = 5;

describe('the audit log: append-only and hash-chained', () => {
  const database = ownDatabase('leguas_audit');
  let db: Db;
  const entry = (action: 'approve' | 'view_registration', actor = 'ana') =>
    ({ actor, action, outcome: 'accepted' as const, registrationId: randomUUID(), remoteAddress: '10.0.0.7', details: { reason: 'Olá, «teste»' } });

  before(async () => {
    await database.create();
    await runner({ databaseUrl: database.url, dir: migrationsDir, direction: 'up', count: before1767, migrationsTable: 'pgmigrations', log: () => undefined });
    db = createDb(database.url);
    // Rows written before the chain existed are chained by its migration.
    for (let index = 0; index < 3; index++) await insertAuditEntry(db, entry('view_registration'));
    await migrate(database.url);
  });
  after(async () => {
    await db?.end();
    await database.drop();
  });

  it('chains the rows that were there and every row added, twenty of them at once too', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, index) => insertAuditEntry(db, entry(index % 2 === 0 ? 'approve' : 'view_registration'))));
    assert.deepEqual(await verifyAuditChain(db), { rows: 23, ok: true, problems: [] });
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the application', async () => {
    await assert.rejects(db.query("UPDATE audit_log SET actor = 'mallory' WHERE id = (SELECT min(id) FROM audit_log)"), /append-only: UPDATE refused/);
    await assert.rejects(db.query('DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)'), /append-only: DELETE refused/);
    await assert.rejects(db.query('TRUNCATE audit_log'), /append-only: TRUNCATE refused/);
    assert.equal((await verifyAuditChain(db)).ok, true);
  });

  it('names a row removed from the end, a row changed and a row removed from the middle behind the triggers\' back (a superuser)', async () => {
    const behindTheTriggers = async (sql: string, params: unknown[]) => {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query("SET LOCAL session_replication_role = 'replica'");
        await client.query(sql, params);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    const head = (await db.query<{ id: string }>('SELECT id FROM audit_log WHERE row_hash = (SELECT row_hash FROM audit_chain_head)')).rows[0]!.id;
    await behindTheTriggers('DELETE FROM audit_log WHERE id = $1', [head]);
    assert.deepEqual((await verifyAuditChain(db)).problems, ['the chain does not end at its recorded head: rows were removed from its end']);

    const ids = (await db.query<{ id: string }>('SELECT id FROM audit_log ORDER BY id')).rows.map((row) => row.id);
    await behindTheTriggers("UPDATE audit_log SET details = '{\"reason\": \"outra\"}' WHERE id = $1", [ids[4]]);
    assert.ok((await verifyAuditChain(db)).problems.includes(`row ${ids[4]}: its fields no longer match its hash (changed)`));

    // The chain's order is the order rows were added, which ids need not follow (ids are taken before the chain's lock).
    const next = (await db.query<{ id: string }>('SELECT id FROM audit_log WHERE prev_hash = (SELECT row_hash FROM audit_log WHERE id = $1)', [ids[10]])).rows[0]!.id;
    await behindTheTriggers('DELETE FROM audit_log WHERE id = $1', [ids[10]]);
    const report = await verifyAuditChain(db);
    assert.equal(report.ok, false);
    assert.ok(report.problems.includes(`row ${next}: the row before it is gone`), report.problems.join('; '));
    assert.ok(report.problems.some((problem) => /row\(s\) are not on the chain/.test(problem)));
  });
});
