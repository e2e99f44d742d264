/**
 * Records the workflow histories that `test/replay/replay.test.ts` replays against the current code.
 * Not part of `npm test`: run it on purpose, through the test runner's Temporal server and database,
 *
 *   npm run histories:record
 *
 * It plays real scenarios end to end (API, workers, simulators) and writes each workflow run's
 * history to test/fixtures/histories/<scenario>.json. Histories recorded by an earlier version of
 * the code are what running chats and registrations carry at a deploy: keep them, and add new
 * ones (see the README, "Replay").
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { chatWorkflowId } from '../../domain/chat.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import { chatStateQuery } from '../../workflows/chat.ts';
import { pollingWorkflowId } from '../../workflows/whatsapp-polling.ts';
import { makeJpeg, makePdf } from '../fixtures/documents.ts';
import { botDialogue, driverAnswers } from '../support/bot-dialogue.ts';
import { chatAtRest, chatwootView, newDriverPhone, relayWaitingOutOutage, waitForIncoming } from '../support/bridge-views.ts';
import { withFaults } from '../support/faults.ts';
import { correctionCodeIn, dataUrl, flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { historiesMasterKeys } from '../fixtures/histories/master-key.ts';
import { eventually, startTestSystem, type TestSystem, type TestSystemOptions } from '../support/test-system.ts';

const folder = new URL('../fixtures/histories/', import.meta.url);
const label = process.env.HISTORIES_LABEL ?? 'v1';

/** Every run of a workflow id, oldest first, each written as `<name>-run<N>.json` (or `<name>.json` for one run). */
async function record(temporal: Client, workflowId: string, name: string): Promise<number> {
  const runs: string[] = [];
  for await (const execution of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
  runs.reverse();
  await mkdir(folder, { recursive: true });
  for (const [index, runId] of runs.entries()) {
    const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    const file = runs.length === 1 ? `${label}-${name}.json` : `${label}-${name}-run${index + 1}.json`;
    await writeFile(new URL(file, folder), `${historyToJSON(history)}\n`);
  }
  return runs.length;
}

/**
 * A system whose Temporal payloads are sealed under the fixture's master key alone, never under a
 * chat's or a driver's own key: the replay test opens them with that key and no database.
 */
const recordingSystem = (env: Record<string, string>, options: TestSystemOptions = {}) =>
  startTestSystem({ MASTER_KEYS: historiesMasterKeys, ...env }, { ...options, payloadsUnderMasterKeysOnly: true });

const waitFor = <T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000) => eventually(check, timeoutMs, what);

async function closed(temporal: Client, workflowId: string): Promise<void> {
  await waitFor(async () => ((await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING' ? undefined : true), `${workflowId} to close`);
}

describe('record workflow histories', { concurrency: false }, () => {
  it('a registration approved after two reviewer reminders', { timeout: 120_000 }, async () => {
    const sut = await recordingSystem({ REVIEWER_REMINDER_AFTER: '1s', REVIEWER_REMINDER_EVERY: '1s', REVIEWER_WHATSAPP: '+351910000001' });
    try {
      const created = await sut.call('POST', '/drivers/register-typebot/', flatPayload(await sampleDocuments()));
      assert.equal(created.status, 201);
      const id = created.body.registration_id as string;
      await waitFor(async () => (sut.wpp.sent.filter((sent) => sent.phone === '351910000001').length >= 2 ? true : undefined), 'two reminders');
      assert.equal((await sut.asReviewer('POST', `/drivers/${id}/approve`)).status, 200);
      await closed(sut.system.temporal, workflowIdOf(id));
      assert.equal(await record(sut.system.temporal, workflowIdOf(id), 'driver-registration-approved-after-reminders'), 1);
    } finally {
      await sut.stop();
    }
  });

  describe('the bridge with the registration bot', () => {
    let sut: TestSystem;
    before(async () => {
      sut = await recordingSystem({ BRIDGE_POLLING: 'false' }, { bridge: true, typebot: true });
    });
    after(async () => sut.stop());

    it('a chat with agents, then a bot dialogue crossing continue-as-new, and its registration through a correction round', { timeout: 600_000 }, async () => {
      const phone = newDriverPhone();
      const chatId = `${phone}@c.us`;
      const view = chatwootView(sut);
      const driver = botDialogue(sut, phone);
      const handle = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatId));

      // People first: a message, an agent's reply (the bot would step back) and the driver's read receipt, then resolved.
      await sut.wpp.receive({ from: phone, body: 'Boa tarde, tenho uma dúvida', pushname: 'Rui' });
      const conversationId = await waitFor(async () => view.conversationsOf(phone)[0]?.id, 'the conversation');
      await sut.chatwoot!.agentReply(conversationId, { content: 'Boa tarde! Diga.' });
      const reply = await waitFor(async () => sut.wpp.sent.find((sent) => sent.phone === phone), 'the reply on WhatsApp');
      await sut.wpp.markRead(reply.id);
      await sut.wpp.receive({ from: phone, type: 'image', media: { bytes: await makeJpeg({ width: 300, height: 200 }), mimetype: 'image/jpeg' }, caption: 'esta foto' });
      await sut.chatwoot!.agentReply(conversationId, { content: 'Recebido, obrigado.', attachments: [{ filename: 'guia.pdf', contentType: 'application/pdf', bytes: await makePdf({ pages: 1 }) }] });
      await waitFor(async () => (sut.wpp.sent.filter((sent) => sent.phone === phone).length >= 2 ? true : undefined), 'the file on WhatsApp');
      await sut.chatwoot!.resolve(conversationId);

      // Enough chatter that the bot's dialogue below crosses the test server's continue-as-new threshold.
      const threshold = Number(process.env.TEST_SUGGEST_CONTINUE_AS_NEW_AT ?? 400);
      for (let index = 1; (await handle.describe()).historyLength < threshold - 120; index += 1) {
        const text = `Mensagem ${index}`;
        await sut.wpp.receive({ from: phone, body: text });
        await waitFor(async () => (view.incomingTexts(phone).includes(text) ? true : undefined), `"${text}" in Chatwoot`);
      }
      driver.skipAhead();

      const answers = await driverAnswers();
      assert.match(await driver.says('Olá! Quero ser motorista', 'the welcome'), /1\. Começar/);
      assert.match(await driver.says('1'), /nome completo/);
      assert.match(await driver.says(answers.name), /NIF/);
      assert.match(await driver.says(answers.nif), /telemóvel/);
      assert.match(await driver.says(answers.phone), /email/i);
      assert.match(await driver.says(answers.email), /morada/);
      assert.match(await driver.says(answers.address), /código postal/);
      assert.match(await driver.says(answers.postalCode), /cidade/);
      assert.match(await driver.says(answers.city), /frente da sua carta de condução/);
      const photo = (bytes: Buffer) => ({ type: 'image' as const, media: { bytes, mimetype: 'image/jpeg' } });
      assert.match(await driver.says(photo(answers.licenceFront), 'the question for the back'), /verso/);
      assert.match(await driver.says(photo(answers.licenceBack), 'the question for the proof of address'), /comprovativo de morada/);
      const pdf = { type: 'document' as const, media: { bytes: answers.proofOfAddress, mimetype: 'application/pdf', filename: 'fatura.pdf' } };
      assert.match(await driver.says(pdf, 'the summary'), /Confirmar/);
      assert.match(await driver.says('1', 'the registration to be sent'), /Recebemos o seu registo/);

      const registrationId = await waitFor(async () => {
        const found = await sut.system.db.query<{ id: string; status: string }>('SELECT id, status FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', answers.nif)]);
        return found.rows[0]?.status === 'pending_approval' ? found.rows[0].id : undefined;
      }, 'the registration pending approval');
      const correction = await sut.asReviewer('POST', `/drivers/${registrationId}/request-correction`, { items: ['licence_back'], message: 'A fotografia está desfocada.' });
      assert.equal(correction.status, 200);
      const [request] = await driver.hears('the correction request on WhatsApp');

      // The driver sends the form again (outside the chat, with the request's code) with a new photo of the back of the licence.
      const documents = await sampleDocuments();
      const resubmitted = await sut.call('POST', '/drivers/register-typebot/', flatPayload(documents, {
        nome_completo: answers.name, nif: answers.nif, telefone: answers.phone, email: answers.email, morada: answers.address,
        codigo_postal: answers.postalCode, cidade: answers.city,
        cnh_frente: dataUrl('image/jpeg', answers.licenceFront), cnh_verso: dataUrl('image/jpeg', await makeJpeg({ width: 820, height: 510 })),
        comprovante_morada: dataUrl('application/pdf', answers.proofOfAddress),
        codigo_correcao: correctionCodeIn(request!),
      }));
      assert.equal(resubmitted.status, 200, JSON.stringify(resubmitted.body));
      await waitFor(async () => {
        const found = await sut.system.db.query<{ status: string }>('SELECT status FROM registrations WHERE id = $1', [registrationId]);
        return found.rows[0]?.status === 'pending_approval' ? true : undefined;
      }, 'the corrected registration pending approval');
      assert.equal((await sut.asReviewer('POST', `/drivers/${registrationId}/approve`)).status, 200);
      await driver.hears('the approval on WhatsApp');
      await closed(sut.system.temporal, workflowIdOf(registrationId));
      await waitFor(async () => (sut.chatwoot!.labels(conversationId).includes('cadastro-aprovado') ? true : undefined), 'the approved label');

      const runs = await record(sut.system.temporal, chatWorkflowId(sut.system.personal, chatId), 'chat-agents-then-bot-dialogue');
      assert.ok(runs >= 2, 'the chat continued as new');
      await record(sut.system.temporal, workflowIdOf(registrationId), 'driver-registration-from-bot-with-correction');
    });

    it('a registration from the chat, corrected through the bot in the chat, then approved', { timeout: 300_000 }, async () => {
      const phone = newDriverPhone();
      const driver = botDialogue(sut, phone);
      const answers = await driverAnswers();
      const photo = (bytes: Buffer) => ({ type: 'image' as const, media: { bytes, mimetype: 'image/jpeg' } });
      const pdf = { type: 'document' as const, media: { bytes: answers.proofOfAddress, mimetype: 'application/pdf', filename: 'fatura.pdf' } };
      const script: Array<[Parameters<typeof driver.says>[0], RegExp]> = [
        ['Olá! Quero ser motorista', /1\. Começar/], ['1', /nome completo/], [answers.name, /NIF/], [answers.nif, /telemóvel/], [answers.phone, /email/i],
        [answers.email, /morada/], [answers.address, /código postal/], [answers.postalCode, /cidade/], [answers.city, /frente/],
        [photo(answers.licenceFront), /verso/], [photo(answers.licenceBack), /comprovativo de morada/], [pdf, /Confirmar/], ['1', /Recebemos o seu registo/],
      ];
      for (const [message, next] of script) assert.match(await driver.says(message), next);
      const registrationId = await waitFor(async () => {
        const found = await sut.system.db.query<{ id: string; status: string }>('SELECT id, status FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', answers.nif)]);
        return found.rows[0]?.status === 'pending_approval' ? found.rows[0].id : undefined;
      }, 'the registration pending approval');
      const correction = await sut.asReviewer('POST', `/drivers/${registrationId}/request-correction`, { items: ['licence_back', 'postal_code'], message: 'A fotografia está desfocada.' });
      assert.equal(correction.status, 200);
      assert.match((await driver.hears('the request, then the bot', { count: 2 })).at(-1) ?? '', /código postal/);
      assert.match(await driver.says('4000-123'), /verso/);
      assert.match(await driver.says(photo(await makeJpeg({ width: 820, height: 510 }))), /Confirmar/);
      assert.match(await driver.says('1'), /Recebemos o seu registo/);
      await waitFor(async () => {
        const found = await sut.system.db.query<{ status: string }>('SELECT status FROM registrations WHERE id = $1', [registrationId]);
        return found.rows[0]?.status === 'pending_approval' ? true : undefined;
      }, 'the corrected registration pending approval');
      assert.equal((await sut.asReviewer('POST', `/drivers/${registrationId}/approve`)).status, 200);
      await driver.hears('the approval on WhatsApp');
      await closed(sut.system.temporal, workflowIdOf(registrationId));
      await record(sut.system.temporal, chatWorkflowId(sut.system.personal, `${phone}@c.us`), 'chat-correction-in-chat');
      await record(sut.system.temporal, workflowIdOf(registrationId), 'driver-registration-corrected-in-chat');
    });
  });

  describe('the bot\'s timers and people taking over', () => {
    let sut: TestSystem;
    before(async () => {
      sut = await recordingSystem(
        { BRIDGE_POLLING: 'false', BRIDGE_IDLE_TIMEOUT: '3s', TYPEBOT_REMINDER_AFTER: '2s', TYPEBOT_SESSION_TTL: '8s' },
        { bridge: true, typebot: true },
      );
    });
    after(async () => sut.stop());

    it('a reminder, the company phone, a relay through a Chatwoot outage, a resolve, and the session dropped after its lifetime', { timeout: 120_000 }, async () => {
      const phone = newDriverPhone();
      const chatId = `${phone}@c.us`;
      const driver = botDialogue(sut, phone);
      const state = () => sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatId)).query(chatStateQuery);
      assert.match(await driver.says('Olá! Quero ser motorista', 'the welcome'), /1\. Começar/);
      assert.match(await driver.says('1'), /nome completo/);
      assert.match((await driver.hears('the reminder')).join('\n'), /Ainda está por aí/);

      sut.wpp.typedOnCompanyPhone({ to: phone, body: 'Bom dia, fala o Rui da frota.' });
      await waitFor(async () => ((await state()).bot?.paused === true ? true : undefined), 'the pause for the company phone');

      // Chatwoot down: the relay's local attempts fail and the regular activity waits the outage out.
      await withFaults(sut.chatwoot!.faults, { down: true }, async () => {
        await sut.wpp.receive({ from: phone, body: 'Está aí alguém?' });
        await relayWaitingOutOutage(sut, phone);
      });
      const { conversationId } = await waitForIncoming(sut, phone, 'Está aí alguém?');
      await chatAtRest(sut, phone);
      await sut.chatwoot!.resolve(conversationId);
      await waitFor(async () => ((await state()).bot?.paused === false ? true : undefined), 'the bot back after the resolve');
      await closed(sut.system.temporal, chatWorkflowId(sut.system.personal, chatId));
      assert.equal(await record(sut.system.temporal, chatWorkflowId(sut.system.personal, chatId), 'chat-bot-timers-company-phone-outage'), 1);
    });
  });

  describe('the bridge alone, with polling', () => {
    let sut: TestSystem;
    before(async () => {
      sut = await recordingSystem({ BRIDGE_IDLE_TIMEOUT: '4s', BRIDGE_POLL_MIN_INTERVAL: '300ms', BRIDGE_POLL_MAX_INTERVAL: '600ms', BRIDGE_RECONCILE_EVERY: '1s' }, { bridge: true });
    });
    after(async () => sut.stop());

    it('a chat relayed both ways until it ends idle, and the polling workflow that found a lost webhook', { timeout: 120_000 }, async () => {
      const phone = newDriverPhone();
      const chatId = `${phone}@c.us`;
      const view = chatwootView(sut);
      await sut.wpp.receive({ from: phone, body: 'Olá, bom dia', pushname: 'Rui' });
      sut.wpp.faults.webhookDown = true;
      try {
        await sut.wpp.receive({ from: phone, body: 'esta perdeu-se pelo caminho' });
      } finally {
        sut.wpp.faults.webhookDown = false;
      }
      await waitFor(async () => (view.incomingTexts(phone).length === 2 ? true : undefined), 'the polled message in Chatwoot');
      const conversationId = view.conversationIdOf(phone);
      await sut.chatwoot!.agentReply(conversationId, { content: 'Bom dia! Em que posso ajudar?' });
      const reply = await waitFor(async () => sut.wpp.sent.find((sent) => sent.phone === phone), 'the reply on WhatsApp');
      await sut.wpp.markRead(reply.id);
      await sut.wpp.receive({ from: phone, type: 'location', location: { lat: 41.15, lng: -8.61, name: 'Porto' } });
      await closed(sut.system.temporal, chatWorkflowId(sut.system.personal, chatId));
      assert.equal(await record(sut.system.temporal, chatWorkflowId(sut.system.personal, chatId), 'chat-relay-until-idle'), 1);
      await record(sut.system.temporal, pollingWorkflowId(sut.config.BRIDGE_TASK_QUEUE), 'whatsapp-polling');
    });
  });

  describe('the bridge with a backlog WPPConnect flushes at once', () => {
    // WhatsApp's clock a minute behind: the messages were typed a second apart and reach the bridge together.
    let clockOffsetMs = -60_000;
    let sut: TestSystem;
    before(async () => {
      sut = await recordingSystem({ BRIDGE_IDLE_TIMEOUT: '3s', BRIDGE_POLLING: 'false' }, { bridge: true, whatsappClock: () => new Date(Date.now() + clockOffsetMs) });
    });
    after(async () => sut.stop());

    it('a backlog relayed in WhatsApp\'s order after the inbound window, then a live message at once, until the chat ends idle', { timeout: 120_000 }, async () => {
      const phone = newDriverPhone();
      const backlog = Array.from({ length: 6 }, (_, index) => `atrasada ${index + 1}`);
      for (const text of backlog) {
        clockOffsetMs += 1000;
        await sut.wpp.receive({ from: phone, body: text });
      }
      await waitFor(async () => (chatwootView(sut).incomingTexts(phone).length === backlog.length ? true : undefined), 'the backlog in Chatwoot');
      assert.deepEqual(chatwootView(sut).incomingTexts(phone), backlog);
      clockOffsetMs = 0;
      await sut.wpp.receive({ from: phone, body: 'agora mesmo' });
      await waitForIncoming(sut, phone, 'agora mesmo');
      await closed(sut.system.temporal, chatWorkflowId(sut.system.personal, `${phone}@c.us`));
      assert.equal(await record(sut.system.temporal, chatWorkflowId(sut.system.personal, `${phone}@c.us`), 'chat-backlog-inbound-window'), 1);
    });
  });
});
