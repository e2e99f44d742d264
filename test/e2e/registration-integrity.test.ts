import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/common';
import { workflowIdOf } from '../../domain/registration.ts';
import { submissionErrors } from '../../domain/texts/intake.ts';
import { insertBotSession } from '../../platform/stores/bot.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import { stateQuery } from '../../workflows/driver-registration.ts';
import { makePng } from '../fixtures/documents.ts';
import { crashAfterCommit } from '../support/crash-after-commit.ts';
import { correctionCodeIn, dataUrl, flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

/**
 * Who may touch a registration through the intake (issue 11, findings 3 and 8): corrections only
 * from the registration's own chat or with the code its correction request sent; one answer to
 * everyone else whatever the status; and (finding 6) a registration whose workflow never started
 * because the API died after the commit is repaired by the next resubmission or decision.
 */
describe('registration integrity: who may correct, what a stranger learns, repairs on the spot', () => {
  const crash = crashAfterCommit();
  const system = useTestSystem({}, { afterIntakeCommit: crash.afterIntakeCommit });
  let documents: SampleDocuments;
  before(async () => {
    documents = await sampleDocuments();
  });

  const digitsOf = (payload: Record<string, unknown>) => `351${String(payload.telefone).replace(/\s/g, '')}`;
  const submit = (payload: Record<string, unknown>) => system().call('POST', '/drivers/register-typebot/', payload);

  /** A bot session in a WhatsApp chat (as the bridge worker records it when the flow starts): its link token. */
  async function botSessionIn(chatId: string): Promise<string> {
    const linkToken = randomUUID();
    await insertBotSession(system().system.db, system().system.personal, { linkToken, chatId, chatwootConversationId: null });
    return linkToken;
  }

  async function status(id: string, wanted: string): Promise<void> {
    await eventually(async () => {
      const { body } = await system().asReviewer('GET', `/drivers/${id}`);
      return body.status === wanted ? true : undefined;
    }, 20_000, `registration ${id} to be ${wanted}`);
  }

  async function askCorrection(id: string, phone: string, items: string[]): Promise<string> {
    const before = system().wpp.sent.filter((message) => message.phone === phone).length;
    const asked = await system().asReviewer('POST', `/drivers/${id}/request-correction`, { items, message: 'Confirme, por favor.' });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const told = await eventually(async () => system().wpp.sent.filter((message) => message.phone === phone).at(before), 15_000, 'the correction request on WhatsApp');
    // The workflow records the send after WhatsApp answered it (the code no longer kept unsent, the driver told).
    const handle = system().system.temporal.workflow.getHandle(workflowIdOf(id));
    await eventually(async () => {
      const row = await system().system.db.query<{ correction_code_unsent: string | null }>('SELECT correction_code_unsent FROM registrations WHERE id = $1', [id]);
      return row.rows[0]!.correction_code_unsent === null && (await handle.query(stateQuery)).driverNotified === true ? true : undefined;
    }, 15_000, 'the correction request recorded as sent');
    return told.body;
  }

  /** Everything a refused submission must leave as it was. */
  async function snapshot(id: string) {
    const sut = system();
    const row = await sut.system.db.query('SELECT * FROM registrations WHERE id = $1', [id]);
    const docs = await sut.system.db.query('SELECT id, revision, status FROM registration_documents WHERE registration_id = $1 ORDER BY id', [id]);
    const handle = sut.system.temporal.workflow.getHandle(workflowIdOf(id));
    const state = await handle.query(stateQuery);
    const signals = ((await handle.fetchHistory()).events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes != null).length;
    return { signals, row: row.rows[0] as Record<string, unknown>, docs: docs.rows, files: (await sut.storedFiles()).sort(), state };
  }

  it('refuses a correction by NIF from another chat, from the form without the code, and with a wrong code, changing nothing', async () => {
    const payload = flatPayload(documents);
    const phone = digitsOf(payload);
    const ownChat = `${phone}@c.us`;
    const created = await submit({ ...payload, sessao_conversa: await botSessionIn(ownChat) });
    assert.equal(created.status, 201);
    const id = created.body.registration_id as string;
    await status(id, 'pending_approval');
    await askCorrection(id, phone, ['postal_code']);
    const before = await snapshot(id);

    const takeover = { ...payload, codigo_postal: '1000-001', telefone: '919 999 999', email: 'intruso@example.pt' };
    const fromOtherChat = await submit({ ...takeover, sessao_conversa: await botSessionIn('351919999999@c.us') });
    const fromForm = await submit(takeover);
    const unknownToken = await submit({ ...takeover, sessao_conversa: randomUUID() });
    for (const answer of [fromOtherChat, fromForm, unknownToken]) {
      assert.deepEqual(answer, { status: 409, body: { success: false, error: submissionErrors.alreadyRegistered, fields: { nif: submissionErrors.alreadyRegistered }, campo: 'nif' } });
    }
    const wrongCode = await submit({ ...takeover, codigo_correcao: 'AAAA-2222' });
    assert.deepEqual(wrongCode, { status: 403, body: { success: false, error: submissionErrors.correctionCodeRefused, fields: { codigo_correcao: submissionErrors.correctionCodeRefused } } });
    assert.deepEqual(await snapshot(id), before, 'no row change, no re-link, no file, no signal');

    // The driver, from their own chat, corrects without any code.
    const corrected = await submit({ ...payload, codigo_postal: '4000-123', sessao_conversa: await botSessionIn(ownChat) });
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    await status(id, 'pending_approval');
    const row = await getRegistration(system().system.db, system().system.personal, id);
    assert.deepEqual([row?.postalCode, row?.chat?.whatsappChatId], ['4000-123', ownChat]);
  });

  it('takes a correction from the form with the code once, and refuses a used or expired code', async () => {
    const payload = flatPayload(documents);
    const phone = digitsOf(payload);
    const id = (await submit(payload)).body.registration_id as string;
    await status(id, 'pending_approval');
    const code = correctionCodeIn(await askCorrection(id, phone, ['licence_back']));
    const stored = await system().system.db.query<{ correction_code_sha256: string }>('SELECT correction_code_sha256 FROM registrations WHERE id = $1', [id]);
    assert.match(stored.rows[0]!.correction_code_sha256, /^[0-9a-f]{64}$/, 'only the hash is kept');
    assert.ok(!JSON.stringify(stored.rows[0]).includes(code.replace('-', '')));

    const sharper = dataUrl('image/png', await makePng({ width: 800, height: 500 }));
    const corrected = await submit({ ...payload, cnh_verso: sharper, codigo_correcao: ` ${code.toLowerCase()} ` });
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    await status(id, 'pending_approval');
    const again = await submit({ ...payload, cnh_verso: dataUrl('image/png', await makePng({ width: 810, height: 500 })), codigo_correcao: code });
    assert.equal(again.status, 403, 'single use');

    const second = correctionCodeIn(await askCorrection(id, phone, ['email']));
    assert.notEqual(second, code, 'a new code each round');
    await system().system.db.query("UPDATE registrations SET correction_code_expires_at = now() - interval '1 second' WHERE id = $1", [id]);
    const before = await snapshot(id);
    const expired = await submit({ ...payload, cnh_verso: sharper, email: 'novo@example.pt', codigo_correcao: second });
    assert.equal(expired.status, 403);
    assert.equal(expired.body.error, submissionErrors.correctionCodeRefused);
    assert.deepEqual(await snapshot(id), before);
  });

  it('gives a stranger the same answer for a registration under review, approved or asked to correct; the owner gets the helpful one', async () => {
    const sut = system();
    const made: Array<{ payload: Record<string, unknown>; id: string; chat: string }> = [];
    for (let index = 0; index < 3; index += 1) {
      const payload = flatPayload(documents);
      const chat = `${digitsOf(payload)}@c.us`;
      const created = await submit({ ...payload, sessao_conversa: await botSessionIn(chat) });
      made.push({ payload, id: created.body.registration_id as string, chat });
    }
    const [underReview, approved, toCorrect] = made as [typeof made[0], typeof made[0], typeof made[0]];
    for (const each of made) await status(each.id, 'pending_approval');
    assert.equal((await sut.asReviewer('POST', `/drivers/${approved.id}/approve`)).body.status, 'approved');
    await askCorrection(toCorrect.id, digitsOf(toCorrect.payload), ['city']);

    const asStranger = await Promise.all(made.map(({ payload }) => submit({ ...payload, email: 'outra@example.pt' })));
    const asStrangerSame = await Promise.all(made.map(({ payload }) => submit(payload)));
    for (const answer of [...asStranger, ...asStrangerSame]) assert.deepEqual(answer, asStranger[0], 'one answer, whatever the status and the data');
    assert.equal(asStranger[0]!.status, 409);

    const asOwner = async (each: typeof made[0], overrides: Record<string, unknown>) => submit({ ...each.payload, ...overrides, sessao_conversa: await botSessionIn(each.chat) });
    const ownerChanged = await asOwner(underReview, { email: 'outra@example.pt' });
    assert.equal(ownerChanged.status, 409);
    assert.equal(ownerChanged.body.error, submissionErrors.alreadyPending);
    assert.equal((await asOwner(approved, { email: 'outra@example.pt' })).body.error, submissionErrors.alreadyApproved);
    assert.deepEqual((await asOwner(approved, {})), { status: 200, body: { success: true, registration_id: approved.id, status: 'approved' } });
    assert.deepEqual((await asOwner(underReview, {})), { status: 200, body: { success: true, registration_id: underReview.id, status: 'pending_approval' } });
  });

  it('stores one registration from concurrent first submissions of a NIF, and leaves no file of the others', async () => {
    const sut = system();
    const payload = flatPayload(documents);
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => submit({ ...payload, email: `rui.${tag}@example.pt` })));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 409, 409, 409]);
    const id = answers.find((answer) => answer.status === 201)!.body.registration_id as string;
    await status(id, 'pending_approval');
    const files = (await sut.storedFiles()).map((file) => path.relative(sut.storageDir, file)).filter((file) => file.startsWith('registrations/') && !file.includes('~'));
    const referenced = await sut.system.db.query<{ key: string }>(
      'SELECT unnest(ARRAY[received_key, storage_key, thumbnail_key]) AS key FROM registration_documents',
    );
    const keys = new Set(referenced.rows.map((row) => row.key));
    assert.deepEqual(files.filter((file) => !keys.has(file)), [], 'every document file belongs to a row');
  });

  it('repairs a registration whose workflow never started: on the owner\'s resubmission, and on a reviewer\'s decision', async () => {
    const sut = system();
    const crashed = async (payload: Record<string, unknown>) => {
      await crash.submitCrashing(() => submit(payload));
      const row = await sut.system.db.query<{ id: string; status: string }>('SELECT id, status FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', String(payload.nif))]);
      assert.equal(row.rows[0]?.status, 'received', 'committed');
      const id = row.rows[0].id;
      await assert.rejects(sut.system.temporal.workflow.getHandle(workflowIdOf(id)).describe(), WorkflowNotFoundError, 'never started');
      return id;
    };

    // From the chat: the same submission again (the bot's retry) starts it.
    const fromBot = flatPayload(documents);
    const chat = `${digitsOf(fromBot)}@c.us`;
    const botId = await crashed({ ...fromBot, sessao_conversa: await botSessionIn(chat) });
    const retried = await submit({ ...fromBot, sessao_conversa: await botSessionIn(chat) });
    assert.deepEqual(retried, { status: 200, body: { success: true, registration_id: botId, status: 'pending_approval' } });
    await status(botId, 'pending_approval');

    // From the form: the reviewer's decision starts it, then is recorded.
    const fromForm = flatPayload(documents);
    const formId = await crashed(fromForm);
    const approved = await sut.asReviewer('POST', `/drivers/${formId}/approve`);
    assert.deepEqual(approved, { status: 200, body: { registration_id: formId, status: 'approved' } });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === digitsOf(fromForm) && /foi aprovado/.test(message.body)) ? true : undefined));
  });
});

