import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSystem, type RunningSystem } from '../../app/system.ts';
import { requestErrors } from '../../domain/texts/intake.ts';
import { loadConfig } from '../../platform/config.ts';
import { handedOff, keepHandOff } from '../../platform/stores/chat-handoffs.ts';
import { chatAtRest, chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { cuttableLink } from '../support/cuttable-link.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, temporalSdkMetricsUrl, testEnvironment, type TestSystem } from '../support/test-system.ts';

describe('GET /health when PostgreSQL or Temporal does not answer', () => {
  const shared = testEnvironment();
  let system: RunningSystem;
  let database: Awaited<ReturnType<typeof cuttableLink>>;
  let temporal: Awaited<ReturnType<typeof cuttableLink>>;
  const webhookToken = `test-webhook-${randomUUID()}`;

  before(async () => {
    const databaseUrl = new URL(shared.databaseUrl);
    database = await cuttableLink({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) });
    const [temporalHost, temporalPort] = shared.temporalAddress.split(':');
    temporal = await cuttableLink({ host: temporalHost!, port: Number(temporalPort) });
    databaseUrl.hostname = '127.0.0.1';
    databaseUrl.port = String(database.port);
    // The API alone, as `npm run start:api` runs it, reaching both through the links.
    system = await startSystem({
      config: loadConfig({
        HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
        REVIEWER_TOKENS: `ana:test-reviewer-${randomUUID()}`, WPPCONNECT_URL: 'http://127.0.0.1:9', WPPCONNECT_SECRET_KEY: 'unused-secret-key',
        WPPCONNECT_WEBHOOK_TOKEN: webhookToken, BRIDGE_TASK_QUEUE: `test-bridge-${randomUUID()}`, RATE_LIMIT_PER_ADDRESS: '100000',
      }),
      databaseUrl: databaseUrl.toString(),
      temporalAddress: `127.0.0.1:${temporal.port}`,
      run: { api: true, worker: false },
    });
  });
  after(async () => {
    await system.stop();
    database.close();
    temporal.close();
  });

  const health = async () => {
    const response = await fetch(`${system.apiUrl}/health`);
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  const healthy = () => eventually(async () => {
    const answer = await health();
    return answer.status === 200 ? answer : undefined;
  }, 30_000, 'a healthy answer');

  it('answers 503 naming PostgreSQL while the database does not answer, and 200 once it does again', async () => {
    assert.deepEqual(await healthy(), { status: 200, body: { status: 'ok', database: 'ok', temporal: 'ok' } });
    await database.cut();
    try {
      assert.deepEqual(await health(), { status: 503, body: { status: 'degraded', database: 'unreachable', temporal: 'ok' } });
    } finally {
      await database.restore();
    }
    assert.deepEqual(await healthy(), { status: 200, body: { status: 'ok', database: 'ok', temporal: 'ok' } });
  });

  it('answers 503 naming Temporal while Temporal does not answer, and 200 once it does again; alive throughout', async () => {
    await healthy();
    await temporal.cut();
    try {
      assert.deepEqual(await health(), { status: 503, body: { status: 'degraded', database: 'ok', temporal: 'unreachable' } });
      // What a load balancer routes by: the instance still answers (its own 503s, remembered; agents' replies kept).
      const live = await fetch(`${system.apiUrl}/health/live`);
      assert.deepEqual({ status: live.status, body: await live.json() }, { status: 200, body: { status: 'ok' } });
    } finally {
      await temporal.restore();
    }
    assert.deepEqual(await healthy(), { status: 200, body: { status: 'ok', database: 'ok', temporal: 'ok' } });
  });

  it('answers a webhook and the intake 503 with Retry-After within seconds while Temporal does not answer, and 200 once it does', async () => {
    await healthy();
    const phone = newDriverPhone();
    const message = (n: number) => ({
      event: 'onmessage', session: 'test', id: `false_${phone}@c.us_3EB0${n}`, type: 'chat', body: `Olá ${n}`, from: `${phone}@c.us`,
      to: '351930000000@c.us', chatId: `${phone}@c.us`, fromMe: false, t: Math.floor(Date.now() / 1000), isGroupMsg: false, notifyName: 'Rui',
    });
    const post = async (path: string, body: unknown) => {
      const started = performance.now();
      const response = await fetch(`${system.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown>, ms: performance.now() - started };
    };
    const registration = flatPayload(await sampleDocuments());
    await temporal.cut();
    try {
      const webhook = await post(`/webhooks/wppconnect/${webhookToken}`, message(1));
      assert.deepEqual([webhook.status, webhook.retryAfter, webhook.body.error], [503, '5', 'Temporal is unreachable; retry shortly']);
      assert.ok(webhook.ms < 3000, `the webhook answered after ${Math.round(webhook.ms)} ms`);
      const intake = await post('/drivers/register-typebot/', registration);
      assert.deepEqual([intake.status, intake.retryAfter, intake.body.error], [503, '5', requestErrors.unavailable]);
      // Its documents are checked first, in worker threads that compete for the 2 cores with whatever else the suite
      // runs (Chromium, a second system): well under the request timeout (60 s) is what matters, not the seconds.
      assert.ok(intake.ms < 15_000, `the intake answered after ${Math.round(intake.ms)} ms (documents checked first)`);
      const rows = await system.db.query('SELECT 1 FROM registrations WHERE nif_index = $1', [system.personal.index('nif', String(registration.nif))]);
      assert.equal(rows.rowCount, 0, 'the refused registration left no row');
    } finally {
      await temporal.restore();
    }
    await healthy();
    assert.equal((await post(`/webhooks/wppconnect/${webhookToken}`, message(1))).status, 200);
    assert.equal((await post('/drivers/register-typebot/', registration)).status, 201);
  });
});

/** One sample of a Prometheus text exposition: the value for `name` with exactly these labels (0 when absent). */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`).sort().join(',');
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = (match[2] ?? '').split(',').filter((pair) => pair !== '').sort().join(',');
    if (found === wanted) return Number(match[3]);
  }
  return 0;
}

const metricsToken = `metrics-token-${Date.now()}`;

describe('GET /metrics: registration and bridge metrics, from what the system did', () => {
  let sut: TestSystem;
  before(async () => {
    // One reminder a registration, a second after it awaits a reviewer.
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', REVIEWER_REMINDER_AFTER: '1s', REVIEWER_REMINDER_EVERY: '1h', METRICS_TOKEN: metricsToken }, { bridge: true });
  });
  after(async () => sut.stop());

  const scrape = async () => {
    const response = await fetch(`${sut.system.apiUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    return response.text();
  };
  const grown = (before: string, now: string, name: string, labels: Record<string, string> = {}) => sample(now, name, labels) - sample(before, name, labels);

  // First: the registration test's messages to drivers bring WhatsApp acks of their own into the bridge.
  it("counts the bridge's messages by direction and kind, receipts, agents' response times, and an event Chatwoot refuses for good as a failure", async () => {
    const before = await scrape();
    const view = chatwootView(sut);
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    await eventually(async () => (view.incoming(phone).length === 1 ? true : undefined), 15_000, 'the message in Chatwoot');
    const conversationId = view.conversationIdOf(phone);
    await sut.chatwoot!.agentReply(conversationId, { content: 'Bom dia!' });
    // Sent, then acks 1 and 2 (sent, delivered).
    await eventually(async () => (grown(before, await scrape(), 'bridge_receipts_relayed_total') === 2 ? true : undefined), 15_000, 'both acks relayed');
    // A message with nothing Chatwoot can show (no text, no file): refused for good, and the chat goes on.
    // Handed off first, so the chat handles it before the next one (WhatsApp stamps both in the same second).
    await (await sut.wpp.receive({ from: phone, body: '' })).delivered;
    await (await sut.wpp.receive({ from: phone, body: 'Continua?' })).delivered;
    await sut.wpp.receive({ from: phone, type: 'location', location: { lat: 38.72, lng: -9.14 } });
    await eventually(async () => (view.incoming(phone).length === 3 ? true : undefined), 15_000, 'the next messages in Chatwoot');
    await sut.chatwoot!.agentReply(conversationId, { content: 'Sim, diga.' });
    await eventually(async () => (grown(before, await scrape(), 'bridge_receipts_relayed_total') === 4 ? true : undefined), 15_000, 'the second reply\'s acks relayed');
    await chatAtRest(sut, phone);

    const now = await scrape();
    assert.equal(grown(before, now, 'bridge_messages_relayed_total', { direction: 'inbound', kind: 'text' }), 2);
    assert.equal(grown(before, now, 'bridge_messages_relayed_total', { direction: 'inbound', kind: 'location' }), 1);
    assert.equal(grown(before, now, 'bridge_messages_relayed_total', { direction: 'outbound', kind: 'text' }), 2);
    // Each relayed message timed from its webhook's arrival; the refused one is not (it was not relayed).
    assert.equal(grown(before, now, 'bridge_relay_latency_seconds_count', { direction: 'inbound' }), 3);
    assert.equal(grown(before, now, 'bridge_relay_latency_seconds_count', { direction: 'outbound' }), 2);
    assert.ok(grown(before, now, 'bridge_relay_latency_seconds_sum', { direction: 'inbound' }) > 0);
    // The first reply answered 'Olá'; the second, the messages written since (the refused one never reached Chatwoot).
    assert.equal(grown(before, now, 'bridge_agent_response_seconds_count', { reply: 'first' }), 1);
    assert.equal(grown(before, now, 'bridge_agent_response_seconds_count', { reply: 'next' }), 1);
    assert.ok(grown(before, now, 'bridge_agent_response_seconds_sum', { reply: 'first' }) > 0, 'the driver waited a little');
    assert.ok(sample(now, 'bridge_chats_active') >= 1, 'this chat\'s workflow runs');
    assert.equal(grown(before, now, 'bridge_relay_failures_total', { kind: 'inbound', reason: 'ValidationFailed' }), 1, 'a message with no content');
  });

  it("shows agents' events kept from Chatwoot's webhook and not yet in their chat, and how long the oldest has waited", async () => {
    assert.equal(sample(await scrape(), 'bridge_agent_events_waiting'), 0, 'none waiting once every webhook is handed off');
    // As an instance leaves one while Temporal does not answer: kept, held for a minute.
    const kept = await keepHandOff(sut.system.db, sut.system.personal, sut.config.BRIDGE_TASK_QUEUE, `${newDriverPhone()}@c.us`, {
      kind: 'outbound', chatwootMessageId: Date.now(), conversationId: 1, text: 'à espera', attachments: [], quotedWhatsappId: null,
    }, 60_000);
    try {
      await sleep(1_100);
      const now = await scrape();
      assert.equal(sample(now, 'bridge_agent_events_waiting'), 1);
      assert.ok(sample(now, 'bridge_agent_event_oldest_seconds') >= 1, 'waited a second');
    } finally {
      await handedOff(sut.system.db, kept!.id);
    }
  });

  it('counts a reply WhatsApp refuses for good in bridge_relay_failures_total, not as relayed', {
  }, async () => {
    const before = await scrape();
    const view = chatwootView(sut);
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    await eventually(async () => (view.incoming(phone).length === 1 ? true : undefined), 15_000, 'the message in Chatwoot');
    const conversationId = view.conversationIdOf(phone);
    sut.wpp.setUnknownNumbers([phone]);
    try {
      const { messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Ainda está aí?' });
      await eventually(async () => (sut.chatwoot!.messages(conversationId).find((message) => message.id === messageId)?.status === 'failed' ? true : undefined), 15_000, 'the refused reply marked failed');
      await eventually(async () => (sut.chatwoot!.messages(conversationId).some((message) => message.private) ? true : undefined), 15_000, 'the note for the agent');
    } finally {
      sut.wpp.setUnknownNumbers([]);
    }
    const now = await scrape();
    assert.equal(grown(before, now, 'bridge_relay_failures_total', { kind: 'outbound', reason: 'WhatsAppRecipientUnknown' }), 1);
    assert.equal(grown(before, now, 'bridge_messages_relayed_total', { direction: 'outbound', kind: 'text' }), 0);
    assert.equal(grown(before, now, 'bridge_agent_response_seconds_count', { reply: 'first' }), 0, 'a reply that never reached the driver answered nothing');
  });

  it('counts decisions, document processing, reviewer reminders and messages to drivers', async () => {
    const before = await scrape();
    const documents = await sampleDocuments();
    const payloads = [flatPayload(documents), flatPayload(documents)];
    const ids: string[] = [];
    for (const payload of payloads) {
      const created = await sut.call('POST', '/drivers/register-typebot/', payload);
      assert.equal(created.status, 201);
      ids.push(created.body.registration_id as string);
    }
    await eventually(async () => (grown(before, await scrape(), 'registration_reviewer_reminders_total') === 2 ? true : undefined), 20_000, 'a reminder for each');
    assert.equal((await sut.asReviewer('POST', `/drivers/${ids[0]}/approve`)).status, 200);
    assert.equal((await sut.asReviewer('POST', `/drivers/${ids[1]}/reject`, { reason: 'A carta de condução está caducada.' })).status, 200);
    const phones = payloads.map((payload) => `351${String(payload.telefone).replace(/\s/g, '')}`);
    await eventually(async () => (phones.every((phone) => sut.wpp.sent.some((message) => message.phone === phone)) ? true : undefined), 15_000, 'both drivers told');

    const now = await eventually(async () => {
      const text = await scrape();
      return grown(before, text, 'registration_driver_messages_total', { outcome: 'sent' }) === 2 ? text : undefined;
    }, 10_000, 'both messages counted');
    assert.equal(grown(before, now, 'registration_decisions_total', { decision: 'approved' }), 1);
    assert.equal(grown(before, now, 'registration_decisions_total', { decision: 'rejected' }), 1);
    assert.equal(grown(before, now, 'registration_decisions_total', { decision: 'correction_requested' }), 0);
    assert.equal(grown(before, now, 'registration_document_processing_seconds_count'), 6, 'three documents each');
    assert.ok(grown(before, now, 'registration_document_processing_seconds_sum') > 0);
    assert.equal(grown(before, now, 'registration_document_processing_seconds_bucket', { le: '+Inf' }), 6);
    assert.equal(grown(before, now, 'registration_reviewer_reminders_total'), 2);
    assert.equal(grown(before, now, 'registration_driver_messages_total', { outcome: 'already_sent' }), 0);
    assert.equal(grown(before, now, 'registration_time_to_decision_seconds_count', { decision: 'approved' }), 1);
    assert.equal(grown(before, now, 'registration_time_to_decision_seconds_count', { decision: 'rejected' }), 1);
    assert.equal(grown(before, now, 'registration_time_to_decision_seconds_bucket', { decision: 'approved', le: '60' }), 1, 'decided within the minute');
  });

  it('answers only with METRICS_TOKEN, and counts HTTP requests by route template and status, and registrations by status', async () => {
    assert.equal((await fetch(`${sut.system.apiUrl}/metrics`)).status, 401);
    assert.equal((await fetch(`${sut.system.apiUrl}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status, 401);
    const before = await scrape();
    const id = '00000000-0000-4000-8000-000000000000';
    assert.equal((await sut.asReviewer('GET', `/drivers/${id}`)).status, 404);
    assert.equal((await sut.asReviewer('GET', '/drivers?status=approved')).status, 200);
    const now = await scrape();
    assert.equal(grown(before, now, 'http_request_duration_seconds_count', { route: '/drivers/:id', method: 'GET', status: '404' }), 1, 'the route template, not the id');
    assert.equal(grown(before, now, 'http_request_duration_seconds_count', { route: '/drivers', method: 'GET', status: '200' }), 1);
    assert.ok(!now.includes(id), 'no id in any label');
    const counted = await sut.system.db.query<{ n: number }>("SELECT count(*)::int AS n FROM registrations WHERE status = 'approved'");
    assert.equal(sample(now, 'registrations', { status: 'approved' }), counted.rows[0]!.n);
  });

  it("serves the Temporal SDK's own worker metrics: task slots, poll and schedule-to-start latency, the sticky cache", async () => {
    // This suite's registrations and chats ran workflow and activity tasks on this process's workers.
    const sdk = await (await fetch(temporalSdkMetricsUrl)).text();
    const names = new Set(sdk.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => /^[\w:]+/.exec(line)![0]));
    for (const name of ['temporal_worker_task_slots_available', 'temporal_sticky_cache_size', 'temporal_workflow_task_schedule_to_start_latency_seconds_count',
      'temporal_activity_schedule_to_start_latency_seconds_count', 'temporal_workflow_task_replay_latency_seconds_count', 'temporal_request_total']) {
      assert.ok(names.has(name), `${name} among the SDK's metrics`);
    }
    const started = sdk.split('\n').filter((line) => line.startsWith('temporal_workflow_task_schedule_to_start_latency_seconds_count'));
    assert.ok(started.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0) > 0, 'workflow tasks were timed from schedule to start');
    // Labels name types, queues and outcomes, never a workflow (its id holds a chat's or a registration's).
    const labelNames = new Set([...sdk.matchAll(/[{,](\w+)="/g)].map((match) => match[1]!));
    assert.ok(labelNames.size > 0);
    for (const label of labelNames) assert.doesNotMatch(label, /workflow_id|run_id/, `label ${label}`);
  });
});
