/**
 * The fault matrix (issue 11; README "Fault matrix"), the ground's side: the API SIGKILLed mid-intake,
 * the Temporal server and PostgreSQL restarted mid-burst, document storage full. On the real Temporal
 * server and a PostgreSQL of its own (restarted here, disturbing no other test). Each case prints its
 * figures as one JSON line. Outages last FAULTS_OUTAGE_SECONDS (default 3; `npm run faults:soak`: 60).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { killChild, startChildApi } from '../support/child-worker.ts';
import { assertClean, messagesPerPhone, useFaultMatrix } from '../support/fault-matrix.ts';
import { chatAtRest, chatwootView } from '../support/bridge-views.ts';
import { outageMs, report, tally } from '../support/fault-tally.ts';
import { flatPayload, sampleDocuments, variablesPayload } from '../support/registration-payloads.ts';
import { eventually } from '../support/test-system.ts';

describe('fault matrix, the ground under it: nothing lost, doubled or out of order', { timeout: 15 * 60_000 }, () => {
  const { bed, start, stamped, driversWrite, allArrived } = useFaultMatrix();

  it('API killed (SIGKILL) mid-intake: each driver resubmits, and every registration ends approved, once, its driver told once', async () => {
    // A row committed just before the kill has no workflow until the self-repair schedule starts it:
    // this matrix has a Temporal server and a database of its own, so the schedule may run here.
    const sut = await start({ SELF_REPAIR_SCHEDULE: 'true', SELF_REPAIR_EVERY: '1s' }, { api: false, bridge: false });
    let api = await startChildApi(sut);
    try {
      const documents = await sampleDocuments();
      const payloads = Array.from({ length: 4 }, () => flatPayload(documents));
      const submit = (url: string, payload: Record<string, unknown>) =>
        fetch(`${url}/drivers/register-typebot/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(variablesPayload(payload)) })
          .then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }), () => ({ status: 0, body: {} }));
      // The reviewer API of the API process that runs now.
      const reviewer = async (method: string, route: string) => {
        const response = await fetch(`${api.url}${route}`, { method, headers: { authorization: `Bearer ${sut.reviewerToken}` } });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const rowsOf = async (nif: unknown) =>
        (await sut.system.db.query<{ id: string }>('SELECT id FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', String(nif))])).rows;
      const firstTries = payloads.map((payload) => submit(api.url, payload));
      // Killed as soon as the first registration is committed: the others are mid-request.
      await eventually(async () => ((await Promise.all(payloads.map((payload) => rowsOf(payload.nif)))).some((rows) => rows.length > 0) ? true : undefined), 30_000, 'a registration committed');
      await killChild(api.child);
      const killedAt = Date.now();
      const answers = await Promise.all(firstTries);
      api = await startChildApi(sut);
      // The driver (Typebot) whose request failed sends the same form again.
      const retried = await Promise.all(payloads.map(async (payload, index) => (answers[index]!.status === 201 ? answers[index]! : submit(api.url, payload))));
      const rowCounts = await Promise.all(payloads.map(async (payload) => (await rowsOf(payload.nif)).length));
      const figures = { submitted: payloads.length, interrupted: answers.filter((answer) => answer.status !== 201).length, lost: rowCounts.filter((count) => count === 0).length, doubled: rowCounts.filter((count) => count > 1).length };
      const final: string[] = [];
      for (const [index, payload] of payloads.entries()) {
        // From the public form (no chat, no code), a retry of a submission committed before the kill is
        // answered like any stranger's (409, the same whatever the status): the registration is there,
        // and the driver hears the decision on WhatsApp.
        const committedBefore = retried[index]!.status === 409 && String((retried[index]!.body as Record<string, unknown>).error).startsWith('Já existe um registo de motorista para este NIF');
        assert.ok([200, 201].includes(retried[index]!.status) || committedBefore, `submission ${index} accepted on retry (${retried[index]!.status} ${JSON.stringify(retried[index]!.body)})`);
        const rows = await rowsOf(payload.nif);
        assert.equal(rows.length, 1, 'one registration per NIF');
        const id = rows[0]!.id;
        await eventually(async () => ((await reviewer('GET', `/drivers/${id}`)).body.status === 'pending_approval' ? true : undefined), 60_000, 'awaiting a reviewer');
        assert.equal((await reviewer('POST', `/drivers/${id}/approve`)).status, 200);
        final.push(String((await reviewer('GET', `/drivers/${id}`)).body.status));
      }
      const toldOnce = await Promise.all(payloads.map(async (payload) => {
        const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
        await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 60_000, 'the driver told');
        return sut.wpp.sent.filter((message) => message.phone === phone).length;
      }));
      report('api-sigkill-mid-intake', {
        ...figures, approved: final.filter((status) => status === 'approved').length,
        driversToldTwice: toldOnce.filter((count) => count > 1).length, recoveryMs: Date.now() - killedAt,
      });
      assert.deepEqual(final, payloads.map(() => 'approved'));
      assert.deepEqual(toldOnce, payloads.map(() => 1));
    } finally {
      await killChild(api.child);
      await sut.stop();
    }
  });

  // Webhooks during the outage are answered 503; each chat's next accepted message brings its refused ones
  // along, read from WPPConnect, so polling does not land them after it.
  it(`Temporal server killed and restarted mid-burst (${outageMs() / 1000} s): every message reaches Chatwoot once, in order`, async () => {
    const sut = await start();
    try {
      const plan = new Map<string, string[]>();
      let restartedAt = 0;
      const answers: number[] = [];
      await driversWrite(sut, 'mensagem', plan, messagesPerPhone, async () => {
        await bed().temporal.kill();
        // A webhook while Temporal is away: how long the API takes to answer it, and with what.
        const started = Date.now();
        stamped();
        const phone = [...plan.keys()][0]!;
        const text = `${'mensagem'} ${plan.get(phone)!.length + 1}`;
        plan.get(phone)!.push(text);
        const { delivered } = await sut.wpp.receive({ from: phone, body: text });
        await delivered;
        answers.push(Date.now() - started);
        await sleep(outageMs());
        await bed().temporal.restart();
        restartedAt = Date.now();
      });
      const delivery = sut.wpp.webhookDeliveries.filter((candidate) => candidate.event === 'onmessage' && candidate.outcome !== 'delivered');
      const figures = await allArrived(sut, plan, 120_000);
      report('temporal-restart', {
        outageMs: outageMs(), ...figures, recoveryMs: Date.now() - restartedAt,
        webhookAnswerDuringOutageMs: answers[0], refusedWebhooks: delivery.map((candidate) => candidate.status ?? candidate.error),
      });
      assertClean(figures);
    } finally {
      await sut.stop();
    }
  });

  // Chatwoot gives up on a webhook after 5 s and never sends it again: the API keeps each reply and answers at once,
  // Temporal or not (api/hand-offs/agent-inbox.ts), and hands it to its chat once Temporal is back.
  it(`Temporal server killed while agents reply (${outageMs() / 1000} s): each reply answered at once, then on WhatsApp once, in order`, async () => {
    const sut = await start();
    try {
      const plan = await driversWrite(sut, 'olá', new Map(), 1);
      await allArrived(sut, plan, 30_000);
      const view = chatwootView(sut);
      const replies = new Map<string, string[]>([...plan.keys()].map((phone) => [phone, []]));
      const replyIds = new Set<number>();
      await bed().temporal.kill();
      for (let index = 1; index <= messagesPerPhone; index++) {
        for (const [phone, texts] of replies) {
          const content = `resposta ${index}`;
          texts.push(content);
          replyIds.add((await sut.chatwoot!.agentReply(view.conversationIdOf(phone), { content })).messageId);
          // As an agent types: one reply answered before the next is written.
          await sut.chatwoot!.webhooksIdle();
        }
      }
      const deliveries = sut.chatwoot!.webhookDeliveries.filter((delivery) => delivery.event === 'message_created' && replyIds.has(delivery.payloadId));
      const slowest = Math.max(...deliveries.map((delivery) => delivery.durationMs));
      await sleep(outageMs());
      await bed().temporal.restart();
      const restartedAt = Date.now();
      const sentTo = (phone: string) => sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body ?? '');
      const expected = messagesPerPhone * replies.size;
      await eventually(async () => ([...replies.keys()].every((phone) => new Set(sentTo(phone)).size === messagesPerPhone) ? true : undefined), 120_000, `all ${expected} replies on WhatsApp`);
      for (const phone of replies.keys()) await chatAtRest(sut, phone, 'the chat to settle', 60_000);
      const figures = tally(replies, sentTo);
      report('temporal-down-agents-reply', {
        outageMs: outageMs(), ...figures, recoveryMs: Date.now() - restartedAt,
        webhooks: deliveries.length, webhooksRefused: deliveries.filter((delivery) => delivery.status !== 200).length, slowestWebhookAnswerMs: slowest,
      });
      assert.equal(deliveries.length, expected);
      assert.deepEqual(deliveries.map((delivery) => delivery.status), deliveries.map(() => 200), 'every reply\'s webhook answered 200 while Temporal was away');
      assert.ok(slowest < 1_000, `answered at once (slowest ${slowest} ms), not at Temporal's deadline`);
      assertClean(figures);
    } finally {
      await sut.stop();
    }
  });

  // As in the Temporal case: webhooks refused while PostgreSQL is down come along with the chat's next message.
  it(`PostgreSQL restarted mid-burst (${outageMs() / 1000} s down): every message reaches Chatwoot once, in order`, async () => {
    const sut = await start();
    try {
      const plan = new Map<string, string[]>();
      let restartedAt = 0;
      await driversWrite(sut, 'mensagem', plan, messagesPerPhone, async () => {
        await bed().postgres.stop();
        await driversWrite(sut, 'durante', plan, 1);
        await sleep(outageMs());
        await bed().postgres.start();
        restartedAt = Date.now();
      });
      const figures = await allArrived(sut, plan, 120_000);
      report('postgres-restart', { outageMs: outageMs(), ...figures, recoveryMs: Date.now() - restartedAt });
      assertClean(figures);
    } finally {
      await sut.stop();
    }
  });

  it('disk full for document storage: the driver is told clearly, nothing is half-stored, and a later try goes through', async (t) => {
    // A real filesystem limit: a tiny tmpfs (needs root, as in CI containers); elsewhere the case is skipped, saying so.
    const mountPoint = await mkdtemp(path.join(os.tmpdir(), 'leguas-disk-full-'));
    const run = promisify(execFile);
    const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', mountPoint]).then(() => true, () => false);
    if (!mounted) {
      await rm(mountPoint, { recursive: true, force: true });
      t.skip('no tmpfs mount allowed here (not root): the disk-full case needs a real filesystem limit');
      return;
    }
    const storageDir = path.join(mountPoint, 'documents');
    await mkdir(storageDir);
    const sut = await start({ DOCUMENT_STORAGE_DIR: storageDir }, { bridge: false });
    try {
      const documents = await sampleDocuments();
      const payload = flatPayload(documents);
      // Fill the disk but for room for the first document: the second write fails with ENOSPC.
      const filler = path.join(mountPoint, 'filler');
      const room = documents.licenceFront.length + 16 * 1024;
      const free = async () => {
        const { bavail, bsize } = await statfs(mountPoint);
        return bavail * bsize;
      };
      await writeFile(filler, Buffer.alloc(Math.max((await free()) - room, 0)));
      const files = async () => (await readdir(storageDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length;

      const refused = await sut.call('POST', '/drivers/register-typebot/', variablesPayload(payload));
      const { rows } = await sut.system.db.query<{ count: number }>('SELECT count(*)::int AS count FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', String(payload.nif))]);
      const rowsAfter = rows[0]!.count;
      report('disk-full', { status: refused.status, error: refused.body.error, rowsAfter, filesAfter: await files() });
      assert.equal(refused.status, 503);
      assert.match(String(refused.body.error), /temporariamente indisponível/);
      assert.equal(rowsAfter, 0, 'no registration row');
      assert.equal(await files(), 0, 'no document file left behind');
      assert.equal(await sut.workflowCount(), 0, 'no workflow');

      await rm(filler);
      assert.ok((await stat(mountPoint)).isDirectory());
      const accepted = await sut.call('POST', '/drivers/register-typebot/', variablesPayload(payload));
      assert.equal(accepted.status, 201);
      const id = accepted.body.registration_id as string;
      await eventually(async () => ((await sut.asReviewer('GET', `/drivers/${id}`)).body.status === 'pending_approval' ? true : undefined), 60_000, 'the registration awaiting a reviewer');
      const approved = await sut.asReviewer('POST', `/drivers/${id}/approve`);
      assert.equal(approved.status, 200);
      const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
      await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 60_000, 'the driver told');
      assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 1, 'told once');
    } finally {
      await sut.stop();
      await run('umount', [mountPoint]).catch(() => undefined);
      await rm(mountPoint, { recursive: true, force: true });
    }
  });
});
