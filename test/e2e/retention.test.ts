import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureRetentionSchedule } from '../../app/schedules.ts';
import { retentionScheduleId } from '../../domain/self-repair.ts';
import { migrate } from '../../platform/migrate.ts';
import { purgeExpired } from '../../platform/retention.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { ownDatabase } from '../support/own-database.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

/** On a database of its own: retention deletes what is past its period everywhere in the database. */
describe('retention: what is past its period goes, on a Temporal Schedule, after a dry run lists it', () => {
  const database = ownDatabase('leguas_retention');
  let sut: TestSystem;
  const rules = { rejectedAfterMs: 1_000, chatMediaAfterMs: 3_600_000, botRecordsAfterMs: 1_000 };

  before(async () => {
    await database.create();
    await migrate(database.url);
    sut = await startTestSystem({
      RETENTION_EVERY: '1s', RETENTION_REJECTED_AFTER: '1s', RETENTION_BOT_RECORDS_AFTER: '1s', RETENTION_CHAT_MEDIA_AFTER: '1h',
    }, { databaseUrl: database.url });
  });
  after(async () => {
    await sut?.system.temporal.schedule.getHandle(retentionScheduleId(sut.config.TEMPORAL_TASK_QUEUE)).delete().catch(() => undefined);
    await sut?.stop();
    await database.drop();
  });

  it('tombstones a rejected registration and its files once past RETENTION_REJECTED_AFTER, and keeps one under review', { timeout: 90_000 }, async () => {
    const documents = await sampleDocuments();
    const created = await Promise.all([sut.call('POST', '/drivers/register-typebot/', flatPayload(documents)), sut.call('POST', '/drivers/register-typebot/', flatPayload(documents))]);
    const [rejected, kept] = created.map((response) => String(response.body.registration_id));
    const statusOf = async (id: string) => (await sut.system.db.query<{ status: string }>('SELECT status FROM registrations WHERE id = $1', [id])).rows[0]?.status;
    for (const id of [rejected!, kept!]) await eventually(async () => ((await statusOf(id)) === 'pending_approval' ? true : undefined), 20_000, 'pending');
    assert.equal((await sut.asReviewer('POST', `/drivers/${rejected}/reject`, { reason: 'Carta caducada.' })).status, 200);
    await sut.system.db.query("INSERT INTO bot_turns (turn_key, response, created_at) VALUES ('start:old', '{}', now() - interval '1 hour')");
    const filesOf = async (id: string) => (await sut.storedFiles()).filter((file) => file.includes(`/registrations/${id}/`));
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const preview = await purgeExpired({ db: sut.system.db, personal: sut.system.personal, storage: sut.system.storage }, rules, true);
    assert.deepEqual({ ...preview, botTurns: preview.botTurns >= 1 }, { dryRun: true, rejectedRegistrations: [rejected], chatMedia: 0, botTurns: true, botSessions: 0 });
    assert.equal(await statusOf(rejected!), 'rejected', 'the dry run changes nothing');
    assert.ok((await filesOf(rejected!)).length > 0);

    await ensureRetentionSchedule(sut.system.temporal, sut.config);
    await eventually(async () => ((await statusOf(rejected!)) === 'erased' ? true : undefined), 30_000, 'the rejected registration made a tombstone by the schedule');
    assert.deepEqual(await filesOf(rejected!), []);
    assert.equal(await statusOf(kept!), 'pending_approval');
    assert.ok((await filesOf(kept!)).length > 0);
    const row = (await sut.system.db.query<{ nif: string; status_before_erasure: string }>('SELECT nif, status_before_erasure FROM registrations WHERE id = $1', [rejected])).rows[0]!;
    assert.deepEqual([row.nif.trim(), row.status_before_erasure], ['', 'rejected']);
    assert.equal((await sut.system.db.query("SELECT 1 FROM bot_turns WHERE turn_key = 'start:old'")).rowCount, 0);
    const audited = await sut.system.db.query<{ actor: string; registration_id: string | null; details: { kind: string } }>(
      "SELECT actor, registration_id, details FROM audit_log WHERE action = 'retention_purge' ORDER BY id");
    assert.deepEqual(audited.rows.slice(0, 2).map((entry) => [entry.actor, entry.registration_id, entry.details.kind]), [['system', rejected, 'rejected_registration'], ['system', null, 'bot_turn']]);
    const metrics = await sut.system.metrics.metrics();
    assert.match(metrics, /registration_retention_purged_total\{kind="rejected_registration"\} 1/);
  });
});
