/**
 * Several instances, as production scales out: two API processes behind a real load balancer
 * (Debian's HAProxy), two worker processes, Redis for the shared rate limits, documents on S3
 * (versitygw) and the Temporal server on PostgreSQL. Drivers write a burst of WhatsApp messages and
 * registrations come in through the load balancer; one API and one worker are SIGKILLed mid-burst.
 * Nothing is lost or doubled, nothing whose webhook was answered is reordered, and every registration
 * reaches `pending_approval`. A webhook that fails outright at the kill (WPPConnect never sends one
 * again) brings its message with the reconciliation, after that chat's later ones.
 *
 * SCALE_CHATS × SCALE_MESSAGES messages and SCALE_REGISTRATIONS registrations: a short burst in
 * `npm test`, a longer one in `npm run test:production`. What it took is printed as diagnostics.
 * Every chat writes once a round, a round every SCALE_ROUND_MS (1 s, as a driver types): a driver's
 * messages a few milliseconds apart can cross when the instance holding one dies (its retry reaches
 * the other instance after the next message), which the README's "Running at scale" states.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { liveRegistrationByNif } from '../../platform/stores/registrations.ts';
import { postgresTarget } from '../../scripts/lib/temporal-target.ts';
import { startTemporalServer, type TemporalServer } from '../../scripts/lib/temporal-server.ts';
import { startS3, versitygwMissing, type S3Endpoint } from '../support/backup-tools.ts';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { killChild, startChildApi, startChildWorker } from '../support/child-worker.ts';
import { tally } from '../support/fault-tally.ts';
import { freePort } from '../support/free-port.ts';
import { haproxyMissing, startLoadBalancer, type LoadBalancer } from '../support/load-balancer.ts';
import { findRedis } from '../support/redis.ts';
import { flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, testEnvironment, type TestSystem } from '../support/test-system.ts';

const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const chats = size('SCALE_CHATS', 12);
const messagesPerChat = size('SCALE_MESSAGES', 8);
const registrations = size('SCALE_REGISTRATIONS', 6);
const roundMs = size('SCALE_ROUND_MS', 1000);

const redis = await findRedis();
const missing = [haproxyMissing(), versitygwMissing(), 'skip' in redis ? redis.skip : undefined].filter((reason) => reason !== undefined);

describe('scale-out: two APIs behind HAProxy, two workers, Redis, S3, Temporal on PostgreSQL', { skip: missing.length > 0 ? missing.join('; ') : false, timeout: 20 * 60_000 }, () => {
  let temporal: TemporalServer;
  let s3: S3Endpoint;
  let sut: TestSystem;
  let balancer: LoadBalancer;
  let documents: SampleDocuments;
  const apis: ChildProcess[] = [];
  const workers: ChildProcess[] = [];
  // WhatsApp stamps in whole seconds: each round of the burst a second after the one before, as typed.
  let clockOffsetMs = 0;

  before(async () => {
    if ('skip' in redis) return;
    const admin = new URL(testEnvironment().databaseUrl);
    admin.pathname = '/postgres';
    temporal = await startTemporalServer({ postgres: postgresTarget(admin.href), log: (line) => console.log(`# ${line}`) });
    s3 = await startS3();
    sut = await startTestSystem({
      REDIS_URL: redis.url,
      DOCUMENT_STORAGE: 's3', DOCUMENT_S3_BUCKET: s3.bucket, DOCUMENT_S3_PREFIX: 'documents/', DOCUMENT_S3_ENDPOINT: s3.endpoint, DOCUMENT_S3_REGION: s3.region,
      DOCUMENT_S3_ACCESS_KEY_ID: s3.accessKeyId, DOCUMENT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      // The safety net under a webhook that died with its API: polling, every second at most, and the
      // reconciliation, every 10 s (5 minutes by default): a webhook lost at the kill, its chat read
      // by the next message's webhook (WPPConnect marks a chat read on a 2xx), is invisible to polling.
      BRIDGE_POLL_MIN_INTERVAL: '500ms', BRIDGE_POLL_MAX_INTERVAL: '1s', BRIDGE_RECONCILE_EVERY: '10s', WPPCONNECT_TIMEOUT: '5s',
    }, { bridge: true, api: false, worker: false, temporalAddress: temporal.address, whatsappClock: () => new Date(Date.now() + clockOffsetMs) });
    const ports: [number, number] = [await freePort(), await freePort()];
    for (const port of ports) apis.push((await startChildApi(sut, { PORT: String(port) })).child);
    balancer = await startLoadBalancer(ports);
    for (let index = 0; index < 2; index++) workers.push(await startChildWorker(sut));
    sut.wpp.setWebhookUrl(`${balancer.url}/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN}`);
    sut.chatwoot!.setWebhookUrl(`${balancer.url}/webhooks/chatwoot`);
    documents = await sampleDocuments();
  });
  after(async () => {
    for (const child of [...apis, ...workers]) await killChild(child);
    await balancer?.stop();
    await sut?.stop();
    await s3?.stop();
    await temporal?.drop();
    if (!('skip' in redis)) await redis.stop();
  });

  /**
   * A driver's submission through the load balancer, sent again on a 5xx or a dropped connection, as
   * the driver would: after the Retry-After the intake gives when busy (503), else a second.
   */
  async function register(payload: Record<string, unknown>): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const answer = await fetch(`${balancer.url}/drivers/register-typebot/`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload),
      }).catch(() => undefined);
      if (answer !== undefined && answer.status === 409) {
        // An earlier attempt was committed by the instance that died before it answered: the registration
        // exists, and a submission from no chat may not claim it (the driver is told so). Found by its NIF.
        // That attempt may be this one: HAProxy sends a body that fits its buffer (this one, 9 kB) again
        // to the other instance when the first dies without an answer (retry-on empty-response).
        const found = await liveRegistrationByNif(sut.system.db, sut.system.personal, String(payload.nif));
        assert.ok(found, `409 for ${String(payload.nif)}, and no registration with that NIF`);
        return found.id;
      }
      if (answer !== undefined && answer.status < 500) {
        const body = (await answer.json()) as { registration_id?: string };
        assert.ok(answer.status === 201 || answer.status === 200, `${answer.status} ${JSON.stringify(body)}`);
        return body.registration_id!;
      }
      if (attempt === 20) throw new Error(`the intake kept failing (${answer?.status ?? 'no answer'})`);
      await sleep(Number(answer?.headers.get('retry-after') ?? 1) * 1000);
    }
  }

  it('loses and doubles nothing, and reorders nothing it answered, when an API and a worker are killed mid-burst; every registration awaits a reviewer', async (t) => {
    const plan = new Map<string, string[]>(Array.from({ length: chats }, () => [newDriverPhone(), []]));
    const started = Date.now();
    const submitted = Promise.all(Array.from({ length: registrations }, () => register(flatPayload(documents))));
    let killedAt = 0;
    const textOf = new Map<string, string>();
    for (let round = 1; round <= messagesPerChat; round++) {
      await sleep(Math.max(0, started + (round - 1) * roundMs - Date.now()));
      clockOffsetMs += 1000;
      for (const [phone, texts] of plan) {
        const text = `ronda ${round} de ${phone.slice(-4)}`;
        texts.push(text);
        textOf.set((await sut.wpp.receive({ from: phone, body: text })).id, text);
      }
      if (round === Math.ceil(messagesPerChat / 2)) {
        // A crash each: no drain, no goodbye. HAProxy notices the API within a second; Temporal gives the worker's tasks to the other.
        await Promise.all([killChild(apis[0]!), killChild(workers[0]!)]);
        killedAt = Date.now() - started;
      }
    }
    const sentIn = Date.now() - started;

    const view = chatwootView(sut);
    const expected = chats * messagesPerChat;
    const arrived = () => [...plan.keys()].reduce((sum, phone) => sum + new Set(view.incomingTexts(phone)).size, 0);
    await eventually(async () => (arrived() >= expected ? true : undefined), 180_000, `all ${expected} messages in Chatwoot`).catch((error: Error) => {
      // What a failed run needs to be understood: where the messages stopped, and whether the Temporal server still runs.
      const webhooks: Record<string, number> = {};
      for (const delivery of sut.wpp.webhookDeliveries) {
        const how = `${delivery.outcome} ${delivery.status ?? ''}`.trim();
        webhooks[how] = (webhooks[how] ?? 0) + 1;
      }
      const perChat = [...plan.keys()].map((phone) => new Set(view.incomingTexts(phone)).size);
      throw new Error(`${error.message}: ${arrived()} arrived (per chat ${perChat.join(' ')}); WhatsApp webhooks ${JSON.stringify(webhooks)}; `
        + `the Temporal server ${temporal.pid === undefined ? 'is down' : 'runs'}`);
    });
    const messagesIn = Date.now() - started;

    const ids = await submitted;
    assert.equal(new Set(ids).size, registrations, 'one registration per driver');
    const statusOf = async (id: string) => {
      const answer = await fetch(`${balancer.url}/drivers/${id}`, { headers: { authorization: `Bearer ${sut.reviewerToken}` } });
      return ((await answer.json()) as { status?: string }).status;
    };
    await eventually(async () => ((await Promise.all(ids.map(statusOf))).every((status) => status === 'pending_approval') ? true : undefined), 180_000, 'every registration awaiting a reviewer');
    const registrationsIn = Date.now() - started;

    // Late duplicates would show up after the count was reached: wait for the webhooks to settle, then count.
    await sut.chatwoot!.webhooksIdle();
    const shown = (phone: string) => view.incomingTexts(phone).filter((text): text is string => text !== null);
    const figures = tally(plan, shown);
    // A webhook the dying API held when it was killed can fail outright (WPPConnect never sends one
    // again): that message comes with the reconciliation, after the chat's later ones (README, "Running
    // at scale"). It must arrive, once; the order is judged among the messages whose webhook was answered.
    const failedWebhooks = sut.wpp.webhookDeliveries.filter((delivery) => delivery.event === 'onmessage' && delivery.outcome === 'failed');
    const lostAtCrash = new Set(failedWebhooks.flatMap((delivery) => textOf.get(delivery.messageId ?? '') ?? []));
    const answered = new Map([...plan].map(([phone, texts]) => [phone, texts.filter((text) => !lostAtCrash.has(text))]));
    const order = tally(answered, (phone) => shown(phone).filter((text) => !lostAtCrash.has(text)));
    const failedHow = JSON.stringify(failedWebhooks.map((delivery) => delivery.status ?? delivery.error));
    // A disordered chat's webhooks as WPPConnect saw them answered: each text, its status and when (ms into the run).
    // Its relays too: when each message's relay into Chatwoot was claimed and when it was done.
    const deliveriesOf = (phone: string) => sut.wpp.webhookDeliveries
      .filter((delivery) => delivery.event === 'onmessage' && plan.get(phone)!.includes(textOf.get(delivery.messageId ?? '') ?? ''))
      .map((delivery) => `${textOf.get(delivery.messageId!)}: ${delivery.status ?? delivery.error} at ${delivery.at.getTime() - started}`);
    const relaysOf = async (phone: string) => Promise.all([...textOf].filter(([, text]) => plan.get(phone)!.includes(text)).map(async ([id, text]) => {
      const { rows } = await sut.system.db.query<{ claimed: Date; done: Date }>(
        "SELECT created_at AS claimed, updated_at AS done FROM bridge_messages WHERE direction = 'inbound' AND chat_id = $1 AND whatsapp_message_id = $2",
        [sut.system.personal.index('chat', `${phone}@c.us`), sut.system.personal.index('message', id)],
      );
      return `${text}: ${rows.map((row) => `claimed ${row.claimed.getTime() - started}, done ${row.done.getTime() - started}`).join('; ')}`;
    }));
    const disordered = await Promise.all([...answered].filter(([phone, texts]) => JSON.stringify(shown(phone).filter((text) => !lostAtCrash.has(text))) !== JSON.stringify(texts))
      .map(async ([phone]) => ({ shown: shown(phone), webhooks: deliveriesOf(phone), relays: await relaysOf(phone) })));
    assert.deepEqual({ lost: figures.lost, doubled: figures.doubled, outOfOrder: order.outOfOrder }, { lost: 0, doubled: 0, outOfOrder: 0 },
      `${failedWebhooks.length} webhook(s) failed (${failedHow}); out of order: ${JSON.stringify(disordered)}; HAProxy: ${JSON.stringify(balancer.stateChanges())}`);
    t.diagnostic(JSON.stringify({
      chats, messages: expected, registrations, webhooks_failed: failedWebhooks.length, failed_webhooks_out_of_order: figures.outOfOrder - order.outOfOrder,
      killed_api_and_worker_at_ms: killedAt, burst_sent_ms: sentIn,
      all_messages_in_chatwoot_ms: messagesIn, messages_per_second: Math.round((expected / messagesIn) * 1000 * 10) / 10,
      all_registrations_pending_ms: registrationsIn, haproxy_state_changes: balancer.stateChanges(),
    }));
  });
});
