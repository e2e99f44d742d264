import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { workflowIdOf, type Decision } from '../../domain/registration.ts';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { approveUpdate, rejectUpdate, stateQuery, type driverRegistration } from '../../workflows/driver-registration.ts';
import { startRegistrationWorkflow } from '../../api/hand-offs/registration.ts';
import { flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem, withTestSystem, type TestSystem } from '../support/test-system.ts';

const reviewerPhone = '+351910000001';

async function registerAndWait(sut: TestSystem, documents: SampleDocuments) {
  const payload = flatPayload(documents);
  const created = await sut.call('POST', '/drivers/register-typebot/', payload);
  assert.equal(created.status, 201);
  const id = created.body.registration_id as string;
  await eventually(async () => ((await sut.asReviewer('GET', `/drivers/${id}`)).body.status === 'pending_approval' ? true : undefined), 20_000);
  return { id, payload };
}

describe('driverRegistration workflow on the real Temporal server', () => {
  let documents: SampleDocuments;
  before(async () => {
    documents = await sampleDocuments();
  });

  describe('with reminders after one second', () => {
    const system = useTestSystem({ REVIEWER_REMINDER_AFTER: '1s', REVIEWER_REMINDER_EVERY: '1s', REVIEWER_WHATSAPP: reviewerPhone });

    it('reminds reviewers when no decision comes, keeps waiting, and still takes the decision', async () => {
      const sut = system();
      const { id } = await registerAndWait(sut, documents);
      const reminders = await eventually(async () => {
        const sent = sut.wpp.sent.filter((message) => message.phone === reviewerPhone.slice(1));
        return sent.length >= 2 ? sent : undefined;
      }, 15_000, 'two reviewer reminders');
      assert.match(reminders[0]!.body, new RegExp(`^Lembrete: o registo de motorista ${id} aguarda decisão`));
      assert.ok(reminders[0]!.body.includes(`/console/registrations/${id}`), 'the reminder links to the registration in the console');
      const state = await sut.system.temporal.workflow.getHandle(workflowIdOf(id)).query(stateQuery);
      assert.equal(state.status, 'pending_approval');
      assert.ok(state.remindersSent >= 2);
      const metrics = await sut.system.metrics.getSingleMetricAsString('registration_reviewer_reminders_total');
      assert.match(metrics, /registration_reviewer_reminders_total [2-9]/);

      assert.equal((await sut.asReviewer('POST', `/drivers/${id}/approve`)).body.status, 'approved');
    });
  });

  describe('with the default reminder timing', () => {
    const system = useTestSystem();

    it('treats a second start of the same registration as the same workflow', async () => {
      const sut = system();
      const { id } = await registerAndWait(sut, documents);
      const before = await sut.system.temporal.workflow.getHandle(workflowIdOf(id)).describe();
      await startRegistrationWorkflow({ temporal: sut.system.temporal, config: sut.config }, id, false);
      const afterwards = await sut.system.temporal.workflow.getHandle(workflowIdOf(id)).describe();
      assert.equal(afterwards.runId, before.runId);
      // This registration's runs only: the other tests' workflows share the task queue.
      const runs = await sut.system.temporal.workflow.count(`WorkflowId = "${workflowIdOf(id)}"`);
      assert.equal(runs.count, 1);
    });

    it('takes a decision that arrives while the documents are still being prepared, once they are ready', async () => {
      const sut = system();
      const created = await sut.call('POST', '/drivers/register-typebot/', flatPayload(documents));
      const id = created.body.registration_id as string;
      const handle = sut.system.temporal.workflow.getHandle(workflowIdOf(id));
      const result = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'ana' }] });
      assert.deepEqual(result, { registrationId: id, status: 'approved' });
      const documentsStored = await sut.system.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM registration_documents WHERE registration_id = $1 AND status = 'stored'",
        [id],
      );
      assert.equal(documentsStored.rows[0]!.n, 3, 'approved only after its documents were stored');
    });

    it('refuses, in the workflow itself, a rejection without a reason', async () => {
      const sut = system();
      const { id } = await registerAndWait(sut, documents);
      const handle = sut.system.temporal.workflow.getHandle(workflowIdOf(id));
      await assert.rejects(handle.executeUpdate(rejectUpdate, { args: [{ reviewer: 'ana', reason: '   ' }] }), (error: unknown) => {
        assert.ok(error instanceof WorkflowUpdateFailedError);
        assert.ok(error.cause instanceof ApplicationFailure);
        assert.equal(error.cause.type, 'InvalidDecision');
        assert.match(error.cause.message, /reason is required/);
        return true;
      });
      assert.equal((await handle.query(stateQuery)).status, 'pending_approval');
    });

    it('accepts exactly one of two concurrent approvals', async () => {
      const sut = system();
      const { id } = await registerAndWait(sut, documents);
      const handle = sut.system.temporal.workflow.getHandle(workflowIdOf(id));
      const outcomes = await Promise.allSettled([
        handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'ana' }] }),
        handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'rui' }] }),
      ]);
      assert.deepEqual(outcomes.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected']);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected')!;
      assert.ok(refused.reason instanceof WorkflowUpdateFailedError);
      await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined));
      const row = await sut.system.db.query<{ status: string; messages: number }>(
        "SELECT status, (SELECT count(*)::int FROM whatsapp_deliveries WHERE registration_id = $1 AND status = 'sent') AS messages FROM registrations WHERE id = $1",
        [id],
      );
      assert.deepEqual(row.rows[0], { status: 'approved', messages: 1 });
    });

    it('sends the decision once even when the notification is retried', async () => {
      const sut = system();
      const { id, payload } = await registerAndWait(sut, documents);
      const { createNotifyDriver } = await import('../../activities/registration/notify-driver.ts');
      const { createWppConnectClient } = await import('../../integrations/wppconnect/client.ts');
      const { createRegistrationMetrics } = await import('../../activities/registration/metrics.ts');
      const { Registry } = await import('prom-client');
      const notify = createNotifyDriver({
        db: sut.system.db,
        personal: sut.system.personal,
        wppconnect: createWppConnectClient({ baseUrl: sut.wpp.url, session: sut.wpp.session, secretKey: sut.wpp.secretKey }),
        metrics: createRegistrationMetrics(new Registry()),
      });
      const decision = { kind: 'rejected', reviewer: 'ana', reason: 'Teste.' } as const;
      const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
      const first = await notify({ registrationId: id, decision, round: 99 });
      const second = await notify({ registrationId: id, decision, round: 99 });
      assert.equal(second.messageId, first.messageId);
      assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 1);

      // An attempt cut off after WhatsApp accepted the message: the retry finds it in the chat.
      await sut.system.db.query(
        "INSERT INTO whatsapp_deliveries (delivery_key, origin, chat_id, registration_id, status) VALUES ($1, 'registration', $2, $3, 'sending')",
        [sut.system.personal.index('delivery', `registration:${id}:round-100:rejected`), sut.system.personal.index('chat', `${phone}@c.us`), id],
      );
      const { decisionMessage } = await import('../../domain/registration.ts');
      await fetch(`${sut.wpp.url}/api/${sut.wpp.session}/send-message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(sut)}` },
        body: JSON.stringify({ phone, isGroup: false, message: decisionMessage(String(payload.nome_completo), decision) }),
      });
      await notify({ registrationId: id, decision, round: 100 });
      assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 2, 'not sent a third time');
    });
    it('sends a correction request once, with one code, when the answer to its send was lost', async () => {
      const sut = system();
      const { id, payload } = await registerAndWait(sut, documents);
      const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
      const asked = await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['postal_code'], message: 'Confirme.' });
      assert.equal(asked.status, 200, JSON.stringify(asked.body));
      await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined));
      const { createNotifyDriver } = await import('../../activities/registration/notify-driver.ts');
      const { createWppConnectClient } = await import('../../integrations/wppconnect/client.ts');
      const { createRegistrationMetrics } = await import('../../activities/registration/metrics.ts');
      const { Registry } = await import('prom-client');
      const { withFaults } = await import('../support/faults.ts');
      const notifierWith = (timeoutMs: number) => createNotifyDriver({
        db: sut.system.db,
        personal: sut.system.personal,
        wppconnect: createWppConnectClient({ baseUrl: sut.wpp.url, session: sut.wpp.session, secretKey: sut.wpp.secretKey, timeoutMs }),
        metrics: createRegistrationMetrics(new Registry()),
      });
      const impatient = notifierWith(1_000);
      const decision: Decision = { kind: 'correction_requested', reviewer: 'ana', items: ['postal_code'], message: 'Confirme.' };
      const before = sut.wpp.sent.filter((message) => message.phone === phone).length;
      await withFaults(sut.wpp.faults, { delayMs: 3_000 }, async () => {
        await assert.rejects(impatient({ registrationId: id, decision, round: 7 }), /timed out|abort/i);
      });
      await notifierWith(15_000)({ registrationId: id, decision, round: 7 });
      const sent = sut.wpp.sent.filter((message) => message.phone === phone).slice(before);
      assert.equal(sent.length, 1, 'WhatsApp took the first attempt; the retry found it and sent nothing');
      const code = /[A-Z2-9]{4}-[A-Z2-9]{4}/.exec(String(sent[0]!.body))?.[0];
      assert.ok(code, 'the message carries a correction code');
      const { correctionCodeMatches } = await import('../../platform/correction-codes.ts');
      const row = await sut.system.db.query<{ sha256: string; unsent: string | null }>(
        'SELECT correction_code_sha256 AS sha256, correction_code_unsent AS unsent FROM registrations WHERE id = $1', [id],
      );
      assert.ok(correctionCodeMatches(code, row.rows[0]!.sha256), 'the code the driver read is the one that holds');
      assert.equal(row.rows[0]!.unsent, null, 'once sent, only its hash is kept');
    });
  });

  it('survives a worker restart while it waits for the reviewer', async () => {
    const { id, payload, queue, storageDir } = await withTestSystem({}, {}, async (first) => ({
      ...(await registerAndWait(first, documents)),
      queue: first.config.TEMPORAL_TASK_QUEUE,
      storageDir: first.storageDir,
    }));

    await withTestSystem({ TEMPORAL_TASK_QUEUE: queue, DOCUMENT_STORAGE_DIR: storageDir }, {}, async (second) => {
      const approved = await second.asReviewer('POST', `/drivers/${id}/approve`);
      assert.equal(approved.body.status, 'approved', JSON.stringify(approved));
      const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
      await eventually(async () => (second.wpp.sent.some((message) => message.phone === phone) ? true : undefined));
      const result = await second.system.temporal.workflow.getHandle<typeof driverRegistration>(workflowIdOf(id)).result();
      assert.equal(result.status, 'approved');
    });
  });
});

async function tokenFor(sut: TestSystem): Promise<string> {
  const response = await fetch(`${sut.wpp.url}/api/${sut.wpp.session}/${sut.wpp.secretKey}/generate-token`, { method: 'POST' });
  return ((await response.json()) as { token: string }).token;
}
