import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { chatAtRest, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { killChildWorker as kill, startChildWorker as startWorker } from '../support/child-worker.ts';
import { withFaults } from '../support/faults.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

describe('bridge worker killed (SIGKILL) in the middle of a send', () => {
  let worker: ChildProcess;
  const system = useTestSystem({ BRIDGE_POLLING: 'false', WPPCONNECT_TIMEOUT: '20s' }, { bridge: true, worker: false }, {
    started: async (sut) => {
      worker = await startWorker(sut);
    },
    stopping: () => kill(worker),
  });

  it("loses nothing and sends nothing twice: the agent's replies all arrive once, in order", { timeout: 120_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá, preciso de ajuda' });
    const { conversationId } = await waitForIncoming(sut, phone, 'Olá, preciso de ajuda', 20_000);

    const replies = ['primeira', 'segunda', 'terceira'];
    const sentTo = () => sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body);
    // WhatsApp takes the message at once but answers slowly: the worker dies between the two.
    await withFaults(sut.wpp.faults, { delayMs: 4000 }, async () => {
      // Written within milliseconds: their webhooks may cross, and the bridge still sends them by Chatwoot id.
      for (const content of replies) await sut.chatwoot!.agentReply(conversationId, { content });
      await eventually(async () => (sentTo().length >= 1 ? true : undefined), 20_000, 'the first send under way');
      await kill(worker);
    });

    worker = await startWorker(sut);
    await eventually(async () => (sentTo().length === 3 ? true : undefined), 90_000, 'all replies after the restart');
    // Every reply's webhook was answered, so the chat has them all: at rest, it has sent everything it will.
    await sut.chatwoot!.webhooksIdle();
    await chatAtRest(sut, phone);
    assert.deepEqual(sentTo(), replies);
  });
});
