import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { chatHandOff } from '../../api/hand-offs/chat.ts';
import { createPollingActivities } from '../../activities/bridge/polling.ts';
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
import { makeJpeg } from '../fixtures/documents.ts';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { withFaults } from '../support/faults.ts';
import { eventually, useTestSystem, withTestSystem, type TestSystem } from '../support/test-system.ts';

describe('WhatsApp ↔ Chatwoot bridge without webhooks: polling and reconciliation', () => {
  const system = useTestSystem({ BRIDGE_POLL_MIN_INTERVAL: '500ms', BRIDGE_POLL_MAX_INTERVAL: '1s' }, { bridge: true });

  const incoming = (phone: string) => chatwootView(system()).incoming(phone);

  it('relays, in order, messages whose webhooks never arrived, media included', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const photo = await makeJpeg({ width: 400, height: 300 });
    await withFaults(sut.wpp.faults, { webhookDown: true }, async () => {
      await sut.wpp.receive({ from: phone, body: 'primeira' });
      await sut.wpp.receive({ from: phone, type: 'image', media: { bytes: photo, mimetype: 'image/jpeg' }, caption: 'a foto' });
      await sut.wpp.receive({ from: phone, body: 'terceira' });
    });
    const messages = await eventually(async () => (incoming(phone).length === 3 ? incoming(phone) : undefined), 20_000, 'three polled messages');
    assert.deepEqual(messages.map((message) => message.content), ['primeira', 'a foto', 'terceira']);
    assert.equal(createHash('sha256').update(messages[1]!.attachments[0]!.bytes).digest('hex'), createHash('sha256').update(photo).digest('hex'));
  });

  it('recovers through reconciliation what polling cannot see, and finds nothing missing afterwards', async () => {
    // Its own system without the poller, so no poll can take the message first.
    await withTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true }, reconcileScenario);
  });
});

async function reconcileScenario(sut: TestSystem): Promise<void> {
  const incoming = (phone: string) => chatwootView(sut).incoming(phone);
  const phone = newDriverPhone();
  const wppconnect = createWppConnectClient({ baseUrl: sut.wpp.url, session: sut.wpp.session, secretKey: sut.wpp.secretKey });
  await withFaults(sut.wpp.faults, { webhookDown: true }, async () => {
    await sut.wpp.receive({ from: phone, body: 'lida noutro aparelho' });
    // Read on the phone before any poll: all-new-messages will not return it again.
    await wppconnect.markChatRead(`${phone}@c.us`);
  });
  const polling = createPollingActivities({
    db: sut.system.db,
    personal: sut.system.personal,
    wppconnect,
    includeGroups: false,
    handOff: chatHandOff(sut.system.temporal, sut.system.personal, sut.config).events,
  });
  const reconcile = () => polling.reconcileRecentChats({ windowSeconds: 600 });

  assert.equal((await reconcile()).recovered, 1);
  await eventually(async () => (incoming(phone).length === 1 ? true : undefined), 20_000, 'the reconciled message');
  assert.equal(incoming(phone)[0]!.content, 'lida noutro aparelho');
  await eventually(async () => ((await reconcile()).recovered === 0 ? true : undefined), 10_000, 'nothing left to recover');
}
