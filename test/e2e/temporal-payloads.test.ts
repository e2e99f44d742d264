import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatWorkflowId } from '../../domain/chat.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import { createPayloadCodec } from '../../platform/crypto/payload-codec.ts';
import { loadKeyring } from '../../platform/crypto/load-keyring.ts';
import { chatAtRest, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

type Payload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null; path: string };

/** Every payload in a history (workflow inputs, signals, activity inputs and results, queries answered…). */
function payloadsIn(value: unknown, found: Payload[] = [], path = ''): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if ('data' in value && (value as Payload).data instanceof Uint8Array) found.push({ ...(value as Payload), path });
  for (const [key, child] of Object.entries(value)) payloadsIn(child, found, `${path}.${key}`);
  return found;
}
const latin1 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('latin1');

describe('Temporal holds no personal data in plain text', () => {
  const system = useTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true });

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

    const codec = createPayloadCodec(await loadKeyring(sut.config, () => undefined));
    for (const workflowId of [chatWorkflowId(`${phone}@c.us`), workflowIdOf(registrationId)]) {
      const history = await sut.system.temporal.workflow.getHandle(workflowId).fetchHistory();
      const payloads = payloadsIn(history);
      assert.ok(payloads.length >= 3, `${workflowId}: payloads found`);
      // Temporal's own bookkeeping stays readable: a local activity's marker (sequence, attempt, type, times) and search attributes.
      const bookkeeping = (path: string) => /markerRecordedEventAttributes\.details\.data\.|searchAttributes/.test(path);
      const ours = payloads.filter((each) => !bookkeeping(each.path));
      assert.ok(ours.length >= 2, `${workflowId}: the workflow's own payloads found`);
      for (const payload of ours) {
        assert.equal(latin1(payload.metadata?.encoding), 'binary/encrypted', `${workflowId}: ${payload.path} encrypted`);
      }
      const raw = payloads.map((payload) => latin1(payload.data)).join('\n');
      for (const personal of ['256789121', 'Camélias', 'Camelo', phone.slice(3)]) assert.equal(raw.includes(personal), false, `${workflowId}: no "${personal}" in plain text`);
      const decoded = (await codec.decode(payloads)).map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
      if (workflowId.startsWith('whatsapp-chat')) assert.ok(decoded.includes('256789121'), 'the system reads them back');
      else assert.ok(decoded.includes(registrationId));
    }
  });
});
