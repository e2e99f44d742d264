import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatAtRest, chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { cuttableLink } from '../support/cuttable-link.ts';
import { eventually, testEnvironment, withTestSystem } from '../support/test-system.ts';

describe('a driver message whose webhook was refused while Temporal was unreachable', () => {
  it('reaches Chatwoot before the chat\'s next message, brought along by it (no polling)', async () => {
    const [host, port] = testEnvironment().temporalAddress.split(':');
    const temporal = await cuttableLink({ host: host!, port: Number(port) });
    try {
      // Without the poller, only the next message can bring the refused one (reconciliation is minutes away).
      await withTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true, temporalAddress: `127.0.0.1:${temporal.port}` }, async (sut) => {
        const incoming = () => chatwootView(sut).incoming(phone).map((message) => message.content);
        const phone = newDriverPhone();
        await sut.wpp.receive({ from: phone, body: 'primeira' });
        await eventually(async () => (incoming().length === 1 ? true : undefined), 20_000, 'the first message in Chatwoot');

        await temporal.cut();
        try {
          const refused = await sut.wpp.receive({ from: phone, body: 'recusada' });
          await refused.delivered;
          const delivery = sut.wpp.webhookDeliveries.find((candidate) => candidate.messageId === refused.id);
          assert.deepEqual([delivery?.outcome, delivery?.status], ['failed', 503]);
        } finally {
          await temporal.restore();
        }
        // The API reaches Temporal again: its health says so before the next message is written.
        await eventually(async () => ((await fetch(`${sut.system.apiUrl}/health`)).status === 200 ? true : undefined), 30_000, 'Temporal reachable again');
        const next = await sut.wpp.receive({ from: phone, body: 'seguinte' });
        await next.delivered;
        await eventually(async () => (incoming().length === 3 ? true : undefined), 20_000, 'the refused and the next message in Chatwoot');
        await chatAtRest(sut, phone);
        assert.deepEqual(incoming(), ['primeira', 'recusada', 'seguinte']);
      });
    } finally {
      temporal.close();
    }
  });
});
