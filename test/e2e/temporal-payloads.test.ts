import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { chatWorkflowId } from '../../domain/chat.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import { workflowIdOf } from '../../domain/registration.ts';
import { createPayloadCodec } from '../../platform/crypto/payload-codec.ts';
import { SealBroken } from '../../platform/crypto/envelope.ts';
import { loadKeyring } from '../../platform/crypto/load-keyring.ts';
import { createSubjectKeys } from '../../platform/stores/data-keys.ts';
import { chatAtRest, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, testEnvironment, useTestSystem } from '../support/test-system.ts';

const run = promisify(execFile);

type Payload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null; path: string };

/** Every payload in a history (workflow inputs, signals, activity inputs and results, queries answered…). */
function payloadsIn(value: unknown, found: Payload[] = [], path = ''): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if ('data' in value && (value as Payload).data instanceof Uint8Array) found.push({ ...(value as Payload), path });
  for (const [key, child] of Object.entries(value)) payloadsIn(child, found, `${path}.${key}`);
  return found;
}
const latin1 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('latin1');

const operatorToken = `operator-${randomUUID()}`;

describe('Temporal holds no personal data in plain text', () => {
  const system = useTestSystem({ BRIDGE_POLLING: 'false', OPERATOR_TOKENS: `olga:${operatorToken}` }, { bridge: true });

  it('encrypts every payload of a chat and of a registration; the system\'s keys read them back', { timeout: 60_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const text = 'Bom dia, o meu NIF é 256789121 e moro na Rua das Camélias';
    await sut.wpp.receive({ from: phone, body: text, pushname: 'Rui Camelo' });
    await waitForIncoming(sut, phone, text);
    await chatAtRest(sut, phone);
    const created = await sut.call('POST', '/drivers/register-typebot/', flatPayload(await sampleDocuments(), { nome_completo: 'Rui Camelo Dias' }));
    assert.equal(created.status, 201);
    const registrationId = String(created.body.registration_id);
    await eventually(async () => ((await sut.asReviewer('GET', `/drivers/${registrationId}`)).body.status === 'pending_approval' ? true : undefined), 20_000, 'pending');

    const codec = sut.system.payloadCodec;
    for (const workflowId of [chatWorkflowId(sut.system.personal, `${phone}@c.us`), workflowIdOf(registrationId)]) {
      const history = await sut.system.temporal.workflow.getHandle(workflowId).fetchHistory();
      const payloads = payloadsIn(history);
      assert.ok(payloads.length >= 3, `${workflowId}: payloads found`);
      // Temporal's own bookkeeping stays readable: a local activity's marker (sequence, attempt, type, times) and search attributes.
      const bookkeeping = (path: string) => /markerRecordedEventAttributes\.details\.data\.|searchAttributes/.test(path);
      const ours = payloads.filter((each) => !bookkeeping(each.path));
      assert.ok(ours.length >= 2, `${workflowId}: the workflow's own payloads found`);
      for (const payload of ours) {
        assert.equal(latin1(payload.metadata?.encoding), 'binary/encrypted', `${workflowId}: ${payload.path} encrypted`);
        assert.match(latin1(payload.metadata?.['encryption-key-id']), /^dk:/, `${workflowId}: ${payload.path} under its subject's key`);
      }
      const raw = payloads.map((payload) => latin1(payload.data)).join('\n');
      for (const personal of ['256789121', 'Camélias', 'Camelo', phone.slice(3)]) assert.equal(raw.includes(personal), false, `${workflowId}: no "${personal}" in plain text`);
      const decoded = (await codec.decode(payloads)).map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
      if (workflowId.startsWith('whatsapp-chat')) assert.ok(decoded.includes('256789121'), 'the system reads them back');
      else assert.ok(decoded.includes(registrationId));
    }
  });

  it('decodes for the Web UI through the codec endpoint, for an operator\'s token only, from the allowed origin', { timeout: 60_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Mensagem para o Web UI 4711' });
    await waitForIncoming(sut, phone, 'Mensagem para o Web UI 4711');
    await chatAtRest(sut, phone);
    const history = await sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`)).fetchHistory();
    const signal = history.events!.find((event) => event.workflowExecutionSignaledEventAttributes != null)!.workflowExecutionSignaledEventAttributes!.input!.payloads!;
    const asJson = signal.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(payload.data!).toString('base64'),
    }));
    const decode = (token: string, headers: Record<string, string> = {}) => fetch(`${sut.system.apiUrl}/codec/${token}/decode`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: 'http://localhost:8233', ...headers }, body: JSON.stringify({ payloads: asJson }),
    });
    const response = await decode(operatorToken);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:8233');
    const { payloads } = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    assert.equal(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString(), 'json/plain');
    assert.match(Buffer.from(payloads[0]!.data, 'base64').toString(), /Mensagem para o Web UI 4711/);
    for (const token of [sut.reviewerToken, `${operatorToken}x`]) assert.equal((await decode(token)).status, 401, 'an operator\'s token only');
    const preflight = await fetch(`${sut.system.apiUrl}/codec/x/decode`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' } });
    assert.deepEqual([preflight.status, preflight.headers.get('access-control-allow-origin')], [204, 'http://localhost:8233']);
    const elsewhere = await decode(operatorToken, { origin: 'https://evil.example' });
    assert.equal(elsewhere.headers.get('access-control-allow-origin'), null, 'no other origin may read it from a browser');
    const audited = await sut.system.db.query("SELECT actor FROM audit_log WHERE action = 'decode_payloads' AND actor = 'olga'");
    assert.ok((audited.rowCount ?? 0) >= 2);
  });

  it('names a chat\'s workflow by a keyed hash, not the phone, and finds it from the phone for operators (API and npm run find-chat)', { timeout: 60_000 }, async () => {
    const sut = system();
    // A number Portugal hands out (91…), so the operator may type it in its national form.
    const phone = `35191${String(randomInt(1_000_000, 9_999_999))}`;
    await sut.wpp.receive({ from: phone, body: 'Onde está a minha encomenda?' });
    await waitForIncoming(sut, phone, 'Onde está a minha encomenda?');
    const workflowId = chatWorkflowId(sut.system.personal, `${phone}@c.us`);
    assert.match(workflowId, /^whatsapp-chat-[A-Za-z0-9_-]{43}$/);
    assert.equal(workflowId.includes(phone.slice(3)), false, 'no phone in the id');
    const listed = [];
    for await (const execution of sut.system.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) listed.push(execution);
    assert.equal(JSON.stringify(listed).includes(phone.slice(3)), false, 'nor in what Temporal lists about it');

    const find = (token: string, body: unknown) => fetch(`${sut.system.apiUrl}/chats/find`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const national = `${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`;
    const found = await find(operatorToken, { phone: national });
    assert.equal(found.status, 200);
    assert.deepEqual(await found.json(), { workflow_id: workflowId, status: 'RUNNING' });
    assert.equal((await find(sut.reviewerToken, { phone: national })).status, 403, 'operators only');
    assert.equal((await find(operatorToken, { phone: '+351 919 000 001' })).status, 404);
    assert.equal((await find(operatorToken, { phone: 'abc' })).status, 400);

    const script = await run(process.execPath, ['--import', 'tsx', 'scripts/find-chat.ts', `+${phone}`], {
      env: { ...process.env, DATABASE_URL: testEnvironment().databaseUrl, TEMPORAL_ADDRESS: testEnvironment().temporalAddress, DATA_DIR: sut.config.DATA_DIR, NODE_ENV: 'test' },
    });
    assert.deepEqual(JSON.parse(script.stdout), { workflow_id: workflowId, status: 'RUNNING' });
  });

  it('erases a driver\'s chat too: its workflow ended and its Chatwoot contact deleted, with the conversation', { timeout: 90_000 }, async () => {
    const sut = system();
    const payload = flatPayload(await sampleDocuments());
    const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
    await sut.wpp.receive({ from: phone, body: 'Quero apagar os meus dados' });
    await waitForIncoming(sut, phone, 'Quero apagar os meus dados');
    const chatwoot = sut.chatwoot!;
    const contactOf = () => chatwoot.contacts().find((contact) => contact.phoneNumber === `+${phone}`);
    const contactId = contactOf()?.id;
    assert.ok(contactId !== undefined, 'the bridge made the contact');
    assert.ok(chatwoot.conversations().some((conversation) => conversation.contactId === contactId));
    const created = await sut.call('POST', '/drivers/register-typebot/', payload);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const registrationId = String(created.body.registration_id);
    await eventually(async () => ((await sut.asReviewer('GET', `/drivers/${registrationId}`)).body.status === 'pending_approval' ? true : undefined), 20_000, 'pending');

    // The run that held the chat (the erasure's own message to the driver may start a new one, under a new key), and
    // copies of both histories as a backup of Temporal's database taken now would hold them.
    const { runId } = await sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`)).describe();
    const chatHandle = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`), runId);
    const registrationHandle = sut.system.temporal.workflow.getHandle(workflowIdOf(registrationId));
    const underSubjectKey = (payloads: ReturnType<typeof payloadsIn>) => payloads.filter((payload) => latin1(payload.metadata?.['encryption-key-id']).startsWith('dk:'));
    const chatCopy = underSubjectKey(payloadsIn(await chatHandle.fetchHistory()));
    const registrationCopy = underSubjectKey(payloadsIn(await registrationHandle.fetchHistory()));
    assert.ok(chatCopy.length >= 2, 'the chat\'s payloads are under its key');
    assert.ok(registrationCopy.length >= 1, 'the registration\'s payloads are under its key');
    const erased = await fetch(`${sut.system.apiUrl}/drivers/erase`, {
      method: 'POST', headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ registration_id: registrationId }),
    });
    assert.equal(erased.status, 200);
    const answer = await erased.json() as Record<string, unknown>;
    assert.deepEqual({ ...answer, temporal_histories_deleted: undefined }, { erased: [registrationId], driver_told: true, chatwoot_contacts_deleted: 1, temporal_histories_deleted: undefined });
    assert.ok(Number(answer.temporal_histories_deleted) >= 2, 'the registration\'s run and the chat\'s');
    assert.equal(contactOf(), undefined, 'the contact is gone from Chatwoot');
    // The erasure's own message to the driver comes back from WhatsApp as the company phone's: it must not bring the contact back.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(contactOf(), undefined, 'nor does it come back');
    assert.equal(chatwoot.conversations().some((conversation) => conversation.contactId === contactId), false, 'and its conversation');
    // The chat's run and the registration's: ended, and their deletion from Temporal accepted (Temporal removes
    // them in the background: about 40 s on an idle dev server, more under the suite's load, so not waited for here).
    for (const handle of [chatHandle, registrationHandle]) {
      const state = await handle.describe().then((described) => described.status.name, (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return 'DELETED';
        throw error;
      });
      assert.ok(['TERMINATED', 'DELETED'].includes(state), state);
    }
    // The copies no longer open: the keys are destroyed (a codec with the system's keys, none of them cached).
    const keyring = await loadKeyring(sut.config, () => undefined);
    const fresh = createPayloadCodec(keyring, createSubjectKeys(sut.system.db, sut.system.personal));
    await assert.rejects(fresh.decode(chatCopy), (error) => error instanceof SealBroken && error.reason === 'key-destroyed', 'the chat\'s history');
    await assert.rejects(fresh.decode(registrationCopy), (error) => error instanceof SealBroken && error.reason === 'key-destroyed', 'nor the registration\'s');
  });
});
