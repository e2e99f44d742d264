import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { killChildWorker as kill, startChildWorker as startWorker } from '../support/child-worker.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

describe('bridge worker killed (SIGKILL) in the middle of a send', () => {
  let sut: TestSystem;
  let worker: ChildProcess;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', WPPCONNECT_TIMEOUT: '20s' }, { bridge: true, worker: false });
    worker = await startWorker(sut);
  });
  after(async () => {
    await kill(worker);
    await sut.stop();
  });

  it("loses nothing and sends nothing twice: the agent's replies all arrive once, in order", { timeout: 120_000 }, async () => {
    const view = chatwootView(sut);
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá, preciso de ajuda' });
    await eventually(async () => (view.incoming(phone).length === 1 ? true : undefined), 20_000, 'the message in Chatwoot');

    // WhatsApp takes the message at once but answers slowly: the worker dies between the two.
    sut.wpp.faults.delayMs = 4000;
    const replies = ['primeira', 'segunda', 'terceira'];
    for (const content of replies) await sut.chatwoot!.agentReply(view.conversationIdOf(phone), { content });
    const sentTo = () => sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body);
    await eventually(async () => (sentTo().length >= 1 ? true : undefined), 20_000, 'the first send under way');
    await kill(worker);
    sut.wpp.faults.delayMs = 0;

    worker = await startWorker(sut);
    await eventually(async () => (sentTo().length === 3 ? true : undefined), 90_000, 'all replies after the restart');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(sentTo(), replies);
  });
});
