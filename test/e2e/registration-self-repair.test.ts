import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureSelfRepairSchedule } from '../../app/self-repair-schedule.ts';
import { selfRepairScheduleId } from '../../domain/self-repair.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import { createFileStorage } from '../../platform/storage/file-storage.ts';
import { stateQuery } from '../../workflows/driver-registration.ts';
import { crashAfterCommit } from '../support/crash-after-commit.ts';
import { correctionCodeIn, flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem, type TestSystem } from '../support/test-system.ts';

/**
 * The self-repair Temporal Schedule (issue 11, finding 6) on a system of its own, every second: a
 * registration committed by an API that died before starting its workflow gets it started; a
 * correction whose signal never arrived gets it; an old document file no row refers to is deleted,
 * a young one and a referenced one are kept. Each repair is counted in the worker's metric.
 */
describe('self-repair on a Temporal Schedule', () => {
  const crash = crashAfterCommit();
  const system = useTestSystem({ SELF_REPAIR_SCHEDULE: 'true', SELF_REPAIR_EVERY: '1s', SELF_REPAIR_ORPHAN_AGE: '1h' }, {
    afterIntakeCommit: crash.afterIntakeCommit,
  }, {
    // The schedule outlives the system: delete it, so it never runs against a worker that is gone.
    stopping: async (sut) => sut.system.temporal.schedule.getHandle(selfRepairScheduleId(sut.config.TEMPORAL_TASK_QUEUE)).delete(),
  });
  let documents: SampleDocuments;
  before(async () => {
    documents = await sampleDocuments();
  });

  const submit = (payload: Record<string, unknown>) => system().call('POST', '/drivers/register-typebot/', payload);
  const digitsOf = (payload: Record<string, unknown>) => `351${String(payload.telefone).replace(/\s/g, '')}`;

  const crashingSubmit = (payload: Record<string, unknown>) => crash.submitCrashing(() => submit(payload));

  async function statusOf(sut: TestSystem, id: string): Promise<string | undefined> {
    const row = await sut.system.db.query<{ status: string }>('SELECT status FROM registrations WHERE id = $1', [id]);
    return row.rows[0]?.status;
  }

  async function repairs(sut: TestSystem, kind: string): Promise<number> {
    const metric = await sut.system.metrics.getSingleMetricAsString('registration_self_repairs_total');
    const found = new RegExp(`kind="${kind}"\\} (\\d+)`).exec(metric);
    return found === null ? 0 : Number(found[1]);
  }

  it('is created on the worker\'s start, and a second start updates it instead of failing', async () => {
    const sut = system();
    const handle = sut.system.temporal.schedule.getHandle(selfRepairScheduleId(sut.config.TEMPORAL_TASK_QUEUE));
    const description = await handle.describe();
    assert.equal(description.action.type, 'startWorkflow');
    assert.equal(description.action.workflowType, 'selfRepair');
    assert.equal(description.spec.intervals?.[0]?.every, 1000);

    await ensureSelfRepairSchedule(sut.system.temporal, { ...sut.config, SELF_REPAIR_EVERY: 2000 });
    assert.equal((await handle.describe()).spec.intervals?.[0]?.every, 2000);
    await ensureSelfRepairSchedule(sut.system.temporal, sut.config);
    assert.equal((await handle.describe()).spec.intervals?.[0]?.every, 1000);
  });

  it('starts the workflow of a registration committed by an API that died before starting it', async () => {
    const sut = system();
    const startedBefore = await repairs(sut, 'workflow_started');
    const payload = flatPayload(documents);
    await crashingSubmit(payload);
    const row = await sut.system.db.query<{ id: string; status: string }>('SELECT id, status FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', String(payload.nif))]);
    const id = row.rows[0]!.id;

    await eventually(async () => ((await statusOf(sut, id)) === 'pending_approval' ? true : undefined), 30_000, 'the schedule to start the workflow');
    // The repair is counted right after it is done: the count may trail the change it made.
    await eventually(async () => ((await repairs(sut, 'workflow_started')) > startedBefore ? true : undefined), 10_000, 'counted');
    const approved = await sut.asReviewer('POST', `/drivers/${id}/approve`);
    assert.equal(approved.body.status, 'approved');
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === digitsOf(payload) && /foi aprovado/.test(message.body)) ? true : undefined));
  });

  it('re-sends a correction signal that never reached the workflow', async () => {
    const sut = system();
    const signalledBefore = await repairs(sut, 'correction_signalled');
    const payload = flatPayload(documents);
    const id = (await submit(payload)).body.registration_id as string;
    await eventually(async () => ((await statusOf(sut, id)) === 'pending_approval' ? true : undefined), 20_000);
    const asked = await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['city'], message: '' });
    assert.equal(asked.status, 200);
    const told = await eventually(async () => sut.wpp.sent.find((message) => message.phone === digitsOf(payload)), 15_000, 'the correction request');

    await crashingSubmit({ ...payload, cidade: 'Matosinhos', codigo_correcao: correctionCodeIn(told.body) });
    assert.equal(await statusOf(sut, id), 'received', 'the correction is stored');
    await eventually(async () => ((await statusOf(sut, id)) === 'pending_approval' ? true : undefined), 30_000, 'the schedule to signal the workflow');
    const state = await sut.system.temporal.workflow.getHandle(workflowIdOf(id)).query(stateQuery);
    assert.equal(state.round, 2);
    // The repair is counted right after it is done: the count may trail the change it made.
    await eventually(async () => ((await repairs(sut, 'correction_signalled')) > signalledBefore ? true : undefined), 10_000, 'counted');
  });

  it('deletes an old document file no registration refers to, and keeps a young one and a referenced one', async () => {
    const sut = system();
    const storage = createFileStorage(sut.storageDir);
    const payload = flatPayload(documents);
    const id = (await submit(payload)).body.registration_id as string;
    await eventually(async () => ((await statusOf(sut, id)) === 'pending_approval' ? true : undefined), 20_000);
    const referenced = await sut.system.db.query<{ storage_key: string }>('SELECT storage_key FROM registration_documents WHERE registration_id = $1 LIMIT 1', [id]);
    const referencedKey = referenced.rows[0]!.storage_key;

    const oldOrphan = 'registrations/00000000-0000-4000-8000-000000000001/received/licence_front-r1-0123456789ab';
    const youngOrphan = 'registrations/00000000-0000-4000-8000-000000000002/received/licence_front-r1-0123456789ab';
    await storage.put(oldOrphan, Buffer.from('left by a crash'), 'image/jpeg');
    await storage.put(youngOrphan, Buffer.from('being committed'), 'image/jpeg');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const key of [oldOrphan, referencedKey]) await utimes(path.join(sut.storageDir, key), twoHoursAgo, twoHoursAgo);
    const deletedBefore = await repairs(sut, 'orphan_file_deleted');

    await eventually(async () => ((await storage.exists(oldOrphan)) ? undefined : true), 30_000, 'the old orphan to be deleted');
    assert.equal(await storage.exists(youngOrphan), true, 'younger than SELF_REPAIR_ORPHAN_AGE');
    assert.equal(await storage.exists(referencedKey), true, 'a registration refers to it');
    // The repair is counted right after it is done: the count may trail the change it made.
    await eventually(async () => ((await repairs(sut, 'orphan_file_deleted')) > deletedBefore ? true : undefined), 10_000, 'counted');
  });
});
