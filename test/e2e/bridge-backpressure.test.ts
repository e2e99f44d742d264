import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatwootView, newDriverPhone, relayWaitingOutOutage } from '../support/bridge-views.ts';
import { withFaults } from '../support/faults.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

/**
 * A talkative driver during a long Chatwoot outage: the chat's queue stops at BRIDGE_QUEUE_MAX,
 * WPPConnect's webhooks for it are answered 503 (WPPConnect does not retry: the messages stay
 * unread in WhatsApp), and once Chatwoot is back and the queue drained, polling brings the rest.
 */
describe('WhatsApp ↔ Chatwoot bridge with a bounded chat queue (BRIDGE_QUEUE_MAX=10)', () => {
  const system = useTestSystem({ BRIDGE_QUEUE_MAX: '10', BRIDGE_POLL_MIN_INTERVAL: '500ms', BRIDGE_POLL_MAX_INTERVAL: '1s' }, { bridge: true });

  it("answers a full chat's webhooks 503, and every message still reaches Chatwoot once, in order, after the outage", { timeout: 180_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const texts: string[] = [];
    const statusOf = (messageId: string) =>
      eventually(async () => sut.wpp.webhookDeliveries.find((delivery) => delivery.event === 'onmessage' && delivery.messageId === messageId)?.status, 10_000, 'the webhook answered');

    await withFaults(sut.chatwoot!.faults, { down: true }, async () => {
      texts.push('mensagem 1');
      await (await sut.wpp.receive({ from: phone, body: 'mensagem 1' })).delivered;
      await relayWaitingOutOutage(sut, phone);
      // The API sees the chat full within a second or so of its workflow marking it (a visibility
      // query): the messages accepted until then go in the queue, over the bound; after that, 503.
      let refused = 0;
      for (let n = 2; refused < 2 && n <= 200; n++) {
        texts.push(`mensagem ${n}`);
        const { id } = await sut.wpp.receive({ from: phone, body: `mensagem ${n}` });
        if ((await statusOf(id)) === 503) refused += 1;
      }
      assert.equal(refused, 2, 'the full chat refused webhooks');
      // What WPPConnect was told: come back later (it does not, but a proxy or a person reading the log may).
      const at = Math.floor(Date.now() / 1000);
      const response = await fetch(`${sut.system.apiUrl}/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          event: 'onmessage', session: sut.wpp.session, id: `false_${phone}@c.us_3EB0BACC0FF1CE`, type: 'chat', body: 'directa', from: `${phone}@c.us`,
          to: '351930000000@c.us', chatId: `${phone}@c.us`, fromMe: false, t: at, timestamp: at, isGroupMsg: false,
        }),
      });
      assert.equal(response.status, 503);
      assert.ok(Number(response.headers.get('retry-after')) > 0, 'with Retry-After');
    });

    const all = await eventually(async () => {
      const found = chatwootView(sut).incomingTexts(phone);
      return found.length >= texts.length ? found : undefined;
    }, 120_000, 'every message in Chatwoot');
    assert.deepEqual(all, texts, 'each once, in order');
  });
});
