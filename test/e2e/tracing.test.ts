/**
 * Tracing through the running system: the tracing production starts (platform/tracing), with an
 * in-memory exporter in place of OTLP, handed to the API and the workers as the entry points hand
 * it, on a workflow bundle built with the tracing interceptors. One WhatsApp message is one trace
 * from the webhook to Chatwoot, a message relayed in a batch with another is linked to the batch's
 * trace, a registration is one trace from the intake to the driver's WhatsApp message, the API's
 * log lines carry the trace id, and no span carries a phone, a name, a NIF, a text or a secret.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../../platform/crypto/data-converter.ts';
import { startTracing, type Tracing } from '../../platform/tracing/tracing.ts';
import { workflowsPath } from '../../workers/start-worker.ts';
import { workflowTracingModule } from '../../workers/tracing.ts';
import { chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { flatPayload, randomMobile, randomNif, sampleDocuments, variablesPayload } from '../support/registration-payloads.ts';
import { eventually, testEnvironment, useTestSystem } from '../support/test-system.ts';

const exporter = new InMemorySpanExporter();
const spans = () => exporter.getFinishedSpans();
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

/** The span and its exported ancestors, nearest first. */
function lineage(span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(spans().map((each) => [each.spanContext().spanId, each]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent !== undefined; parent = byId.get(parent.parentSpanId ?? '')) chain.push(parent);
  return chain;
}

/**
 * The lineage of the span `find` finds, once it is `length` spans long (every span ends, and is
 * exported, a while after its child starts); if it never is, what it reached, for the assertion to show.
 */
async function lineageOf(find: () => ReadableSpan | undefined, length: number, what: string): Promise<ReadableSpan[]> {
  const chain = () => {
    const span = find();
    return span === undefined ? [] : lineage(span);
  };
  return eventually(async () => (chain().length >= length ? chain() : undefined), 15_000, what).catch(() => chain());
}

/** Client spans of requests to `port` whose path template ends with `pathEnd`. */
const requestsTo = (port: number, method: string, pathEnd: string) => spans().filter((span) =>
  span.kind === SpanKind.CLIENT && span.attributes['server.port'] === port && span.attributes['http.request.method'] === method
  && String(span.attributes['url.template']).endsWith(pathEnd));

/** Everything the exported spans say: names, attributes, events, links and statuses. */
const everythingExported = () => JSON.stringify(spans().map((span) => ({
  name: span.name, attributes: span.attributes, events: span.events, links: span.links, status: span.status,
})));

describe('tracing: one WhatsApp message, one registration, one trace each', () => {
  let tracing: Tracing | undefined;
  let bundlePath = '';
  const logLines: string[] = [];
  const log = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });

  before(async () => {
    tracing = startTracing({ serviceName: 'leguas-test', exporter, exportEachSpan: true });
    // The run's shared bundle has no tracing interceptors: a traced worker's bundle has them built in.
    const bundle = await bundleWorkflowCode({
      workflowsPath, failureConverterPath, workflowInterceptorModules: [workflowTracingModule],
      logger: { info: () => undefined, warn: console.warn, error: console.error, debug: () => undefined, trace: () => undefined, log: () => undefined },
    });
    bundlePath = path.join(testEnvironment().scratchDir, `traced-workflow-bundle-${process.pid}.js`);
    await writeFile(bundlePath, bundle.code);
  });
  // No polling: a message the polling brings in first is relayed in the polling run's trace, not its webhook's.
  const system = useTestSystem({ LOG_LEVEL: 'info', BRIDGE_POLLING: 'false' }, () => ({ bridge: true, tracing: tracing!, workflowBundlePath: bundlePath, logStream: log }));
  after(async () => {
    await tracing?.shutdown();
  });

  const chatwootPort = () => Number(new URL(system().chatwoot!.url).port);
  const wppPort = () => Number(new URL(system().wpp.url).port);
  const messagePosts = () => requestsTo(chatwootPort(), 'POST', '/conversations/{}/messages');
  /** From the POST that put a message in Chatwoot back to the webhook that brought it. */
  const relayChain = [
    'POST /api/v1/accounts/{}/conversations/{}/messages',
    'RunActivity:handleChatEvents',
    'StartActivity:handleChatEvents',
    'HandleSignal:chatEvents',
    'SignalWithStartWorkflow:conversation',
    'POST /webhooks/wppconnect/:token',
  ];

  it('follows each WhatsApp message from the webhook to Chatwoot in a trace of its own, and logs its trace id', async () => {
    const sut = system();
    exporter.reset();
    const phone = newDriverPhone();
    const texts = ['Bom dia, estou à porta do cliente', 'O portão está fechado'];
    const traces: string[] = [];
    for (const [index, text] of texts.entries()) {
      await sut.wpp.receive({ from: phone, body: text, pushname: 'Rui Traçado' });
      await waitForIncoming(sut, phone, text);
      // The second message's relay runs in the chat's workflow the first one started: still its own trace.
      const chain = await lineageOf(() => messagePosts()[index], relayChain.length, `the spans of message ${index + 1}`);
      assert.deepEqual(chain.slice(0, relayChain.length).map((span) => span.name), relayChain);
      assert.equal(new Set(chain.map(traceOf)).size, 1, 'one trace from the webhook to Chatwoot');
      traces.push(traceOf(chain[0]!));
    }
    assert.notEqual(traces[0], traces[1], 'each message its own trace');

    const logged = logLines.filter((line) => line.includes(`"trace_id":"${traces[1]!}"`));
    assert.ok(logged.some((line) => line.includes('/webhooks/wppconnect/')), 'the webhook\'s request log line carries its trace id');

    const exported = everythingExported();
    for (const kept of [phone, phone.slice(3), 'Rui Traçado', ...texts, sut.config.WPPCONNECT_WEBHOOK_TOKEN!, sut.wpp.secretKey]) {
      assert.ok(!exported.includes(kept), `no span carries "${kept}"`);
    }
  });

  it('relays messages that wait together in one batch, in the first one\'s trace, and links the others\' traces to it', async () => {
    const sut = system();
    const chatwoot = sut.chatwoot!;
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Primeira', pushname: 'Rui' });
    await waitForIncoming(sut, phone, 'Primeira');
    exporter.reset();
    // Chatwoot answers slowly: the next message is in its conversation while the bridge still waits for the answer...
    chatwoot.faults.delayMs = 2_000;
    try {
      await sut.wpp.receive({ from: phone, body: 'Segunda', pushname: 'Rui' });
      await eventually(async () => (chatwootView(sut).incoming(phone).some((message) => message.content === 'Segunda') ? true : undefined), 15_000, 'the second message in Chatwoot');
      // ...and the two after it are handed over meanwhile: they wait together.
      await sut.wpp.receive({ from: phone, body: 'Terceira', pushname: 'Rui' });
      await sut.wpp.receive({ from: phone, body: 'Quarta', pushname: 'Rui' });
      await sut.wpp.settled();
    } finally {
      chatwoot.faults.delayMs = 0;
    }
    await waitForIncoming(sut, phone, 'Quarta');

    const posts = await eventually(async () => (messagePosts().length === 3 ? messagePosts() : undefined), 15_000, 'three posts to Chatwoot');
    const byTrace = new Map<string, ReadableSpan[]>();
    for (const post of posts) byTrace.set(traceOf(post), [...(byTrace.get(traceOf(post)) ?? []), post]);
    const [alone, batched] = [...byTrace.values()].sort((a, b) => a.length - b.length);
    assert.deepEqual([alone?.length, batched?.length], [1, 2], 'the second message alone, the third and fourth in one batch');
    const batchTrace = traceOf(batched![0]!);
    // Its parents (the activity's, the workflow's) end, and are exported, after it: waited for.
    const chain = await lineageOf(() => batched![0], relayChain.length, 'the batch relay\'s spans');
    assert.deepEqual(chain.slice(0, relayChain.length).map((span) => span.name), relayChain);

    const fourth = await lineageOf(() => spans().find((span) => span.name === 'BatchedInto:handleChatEvents'), 4, 'the fourth message\'s link');
    assert.deepEqual(fourth.slice(0, 4).map((span) => span.name), ['BatchedInto:handleChatEvents', 'HandleSignal:chatEvents', 'SignalWithStartWorkflow:conversation', 'POST /webhooks/wppconnect/:token']);
    assert.equal(fourth[0]!.links[0]?.context.traceId, batchTrace, 'the fourth message\'s trace points to the batch\'s');
    assert.notEqual(traceOf(fourth[0]!), batchTrace);
  });

  it('follows a registration from the intake to the driver\'s WhatsApp message in one trace', async () => {
    const sut = system();
    exporter.reset();
    const nif = randomNif();
    const nationalPhone = randomMobile().replace(/ /g, '');
    const name = 'Joaquina Rastreada Ventura';
    const created = await sut.call('POST', '/drivers/register-typebot/', variablesPayload(flatPayload(await sampleDocuments(), { nif, nome_completo: name, telefone: nationalPhone })));
    assert.equal(created.status, 201);
    const id = created.body.registration_id as string;
    await eventually(async () => ((await sut.asReviewer('GET', `/drivers/${id}`)).body.status === 'pending_approval' ? true : undefined), 20_000, 'the registration awaiting a reviewer');
    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/approve`)).status, 200);
    await eventually(async () => sut.wpp.sent.find((message) => message.phone === `351${nationalPhone}`), 15_000, 'the decision on WhatsApp');

    // The workflow's own span ends when it does, once the driver is told.
    const chain = await lineageOf(() => requestsTo(wppPort(), 'POST', '/send-message')[0], 6, 'the spans from the intake to WhatsApp');
    assert.deepEqual(chain.slice(0, 6).map((span) => span.name), [
      'POST /api/{}/send-message',
      'RunActivity:notifyDriver',
      'StartActivity:notifyDriver',
      'RunWorkflow:driverRegistration',
      'StartWorkflow:driverRegistration',
      'POST /drivers/register-typebot/',
    ]);
    const trace = traceOf(chain[0]!);
    assert.equal(new Set(chain.map(traceOf)).size, 1, 'one trace from the intake to WhatsApp');
    assert.ok(spans().some((span) => traceOf(span) === trace && span.name === 'RunActivity:prepareDocuments'), 'the documents\' preparation in it too');

    const exported = everythingExported();
    for (const kept of [nif, nationalPhone, name, 'Rua das Flores']) assert.ok(!exported.includes(kept), `no span carries "${kept}"`);
  });
});
