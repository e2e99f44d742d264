/**
 * The fault matrix (issue 11; README "Fault matrix"), the bridge's side: Chatwoot or WPPConnect down,
 * the worker or the API SIGKILLed mid-burst, on the real Temporal server and a PostgreSQL of its own.
 * Each case ends with "0 lost, 0 doubled, 0 out of order", counted per phone in the simulators, and
 * prints its figures as one JSON line. Outages last FAULTS_OUTAGE_SECONDS (default 3; `npm run
 * faults:soak`: 60).
 */
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chatAtRest, chatwootView } from '../support/bridge-views.ts';
import { killChild, startChildApi, startChildWorker } from '../support/child-worker.ts';
import { assertClean, messagesPerPhone, useFaultMatrix } from '../support/fault-matrix.ts';
import { outageMs, report, tally } from '../support/fault-tally.ts';
import { withFaults } from '../support/faults.ts';
import { eventually } from '../support/test-system.ts';

describe('fault matrix, the bridge: nothing lost, doubled or out of order', { timeout: 15 * 60_000 }, () => {
  const { start, driversWrite, allArrived } = useFaultMatrix();

  it(`Chatwoot down for ${outageMs() / 1000} s mid-burst: every message reaches it once, in order`, async () => {
    const sut = await start();
    try {
      const plan = await driversWrite(sut, 'antes', new Map(), 1);
      await allArrived(sut, plan, 30_000);
      let back = 0;
      await withFaults(sut.chatwoot!.faults, { down: true }, async () => {
        await driversWrite(sut, 'durante', plan);
        await sleep(outageMs());
        back = Date.now();
      });
      const figures = await allArrived(sut, plan, outageMs() + 60_000);
      report('chatwoot-down', { outageMs: outageMs(), ...figures, recoveryMs: Date.now() - back });
      assertClean(figures);
    } finally {
      await sut.stop();
    }
  });

  it(`WPPConnect down for ${outageMs() / 1000} s: agents' replies reach WhatsApp once, in order`, async () => {
    const sut = await start();
    try {
      const plan = await driversWrite(sut, 'olá', new Map(), 1);
      await allArrived(sut, plan, 30_000);
      const replies = new Map<string, string[]>([...plan.keys()].map((phone) => [phone, []]));
      let back = 0;
      await withFaults(sut.wpp.faults, { down: true }, async () => {
        for (let index = 1; index <= messagesPerPhone; index++) {
          for (const [phone, texts] of replies) {
            const content = `resposta ${index}`;
            texts.push(content);
            await sut.chatwoot!.agentReply(chatwootView(sut).conversationIdOf(phone), { content });
            // As an agent types: one reply handed off before the next is written (Chatwoot's webhooks cross).
            await sut.chatwoot!.webhooksIdle();
          }
        }
        await sleep(outageMs());
        back = Date.now();
      });
      const sentTo = (phone: string) => sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body ?? '');
      const expected = messagesPerPhone * replies.size;
      await eventually(async () => ([...replies.keys()].every((phone) => new Set(sentTo(phone)).size >= messagesPerPhone) ? true : undefined), outageMs() + 60_000, `all ${expected} replies on WhatsApp`);
      for (const phone of replies.keys()) await chatAtRest(sut, phone);
      const figures = tally(replies, sentTo);
      report('wppconnect-down', { outageMs: outageMs(), ...figures, recoveryMs: Date.now() - back });
      assertClean(figures);
    } finally {
      await sut.stop();
    }
  });

  it('worker killed (SIGKILL) mid-relay: every message reaches Chatwoot once, in order', async () => {
    const sut = await start({}, { worker: false });
    let worker: ChildProcess = await startChildWorker(sut);
    try {
      const plan = new Map<string, string[]>();
      let killedAt = 0;
      // Chatwoot answers slowly, so relays are under way when the worker dies.
      await withFaults(sut.chatwoot!.faults, { delayMs: 1500 }, () => driversWrite(sut, 'mensagem', plan, messagesPerPhone, async () => {
        await eventually(async () => (chatwootView(sut).incoming([...plan.keys()][0]!).length > 0 ? true : undefined), 30_000, 'a relay under way');
        await killChild(worker);
        killedAt = Date.now();
      }));
      worker = await startChildWorker(sut);
      // The dead worker's relay attempts time out (heartbeat 30 s, local attempts 1 minute) before they are retried.
      const figures = await allArrived(sut, plan, 150_000);
      report('worker-sigkill', { ...figures, recoveryMs: Date.now() - killedAt });
      assertClean(figures);
    } finally {
      await killChild(worker);
      await sut.stop();
    }
  });

  it('API killed (SIGKILL) mid-webhook: polling fills the gap, every message reaches Chatwoot once, in order', async () => {
    const sut = await start({}, { api: false });
    let api = await startChildApi(sut);
    const point = (url: string) => {
      sut.wpp.setWebhookUrl(`${url}/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN}`);
      sut.chatwoot!.setWebhookUrl(`${url}/webhooks/chatwoot`);
    };
    point(api.url);
    try {
      const plan = new Map<string, string[]>();
      let restartedAt = 0;
      await driversWrite(sut, 'mensagem', plan, messagesPerPhone, async () => {
        await killChild(api.child);
        // Webhooks while the API is dead: refused connections, never retried by WPPConnect.
        await driversWrite(sut, 'durante', plan, 1);
        await sleep(outageMs());
        api = await startChildApi(sut);
        point(api.url);
        restartedAt = Date.now();
      });
      const failed = sut.wpp.webhookDeliveries.filter((delivery) => delivery.outcome === 'failed').length;
      const figures = await allArrived(sut, plan, 60_000);
      report('api-sigkill-mid-webhook', { outageMs: outageMs(), ...figures, webhooksFailed: failed, recoveryMs: Date.now() - restartedAt });
      assertClean(figures);
    } finally {
      await killChild(api.child);
      await sut.stop();
    }
  });
});
