/**
 * The API's edge: who is authenticated before a body is read, how much each route reads, and the
 * rate limits (per address for the unauthenticated and the wrong-token only; per NIF and phone on
 * the intake; intakes in flight). Each describe has a system of its own (API only, no worker: nothing
 * here needs a workflow to run), because the per-address count is one bucket per address.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestErrors, submissionErrors } from '../../domain/texts/intake.ts';
import { flatPayload, randomMobile, randomNif, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem, type TestSystem } from '../support/test-system.ts';

interface RawAnswer { status: number; headers: http.IncomingHttpHeaders; body: string }

/**
 * A POST that declares `declaredBytes` but sends only `sentBytes` of them, then waits: the answer
 * can only come before the body is complete if the server decided without reading it.
 */
function postWithoutBody(url: string, headers: Record<string, string>, declaredBytes: number, sentBytes = 1024): Promise<RawAnswer & { destroy(): void }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(declaredBytes), ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), destroy: () => request.destroy() });
      });
    });
    request.on('error', reject);
    request.write(Buffer.alloc(sentBytes, 0x20));
  });
}

/**
 * Starts a POST whose body never completes, to hold an intake slot; `release` ends it. `answered`
 * says the server answered it anyway (it came while the slot was taken, and was refused).
 */
function holdOpen(url: string, headers: Record<string, string>): { release(): void; closed: Promise<void>; answered(): boolean } {
  const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000000', ...headers } });
  const closed = new Promise<void>((resolve) => request.on('close', () => resolve()));
  let answered = false;
  request.on('response', (response) => {
    answered = true;
    response.resume();
  });
  request.on('error', () => undefined);
  request.write('{"nif": ');
  return { release: () => request.destroy(), closed, answered: () => answered };
}

/** A whole answer within `ms`, or a failure naming what hung. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A sample of the API's metrics as a scrape reads it (0 when absent). */
async function sample(sut: TestSystem, series: string): Promise<number> {
  const text = await sut.system.metrics.metrics();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}
const refusals = (sut: TestSystem, route: string, reason: string) => sample(sut, `api_requests_refused_total{route="${route}",reason="${reason}"}`);
const intakeLoad = async (sut: TestSystem) => ({
  inFlight: await sample(sut, 'api_intake_registrations{state="in_flight"}'),
  waiting: await sample(sut, 'api_intake_registrations{state="waiting"}'),
});

const registrationRows = async (sut: TestSystem, nif: string) => Number((await sut.system.db.query<{ n: string }>('SELECT count(*) AS n FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', nif)])).rows[0]!.n);

describe('authenticate first, read second', () => {
  const intakeSecret = `test-intake-${randomUUID()}`;
  const system = useTestSystem({ INTAKE_SHARED_SECRET: intakeSecret, WPPCONNECT_WEBHOOK_BODY_MB: '1' }, { bridge: true, worker: false });
  const url = (path: string) => `${system().system.apiUrl}${path}`;
  const fiftyMegabytes = 50 * 1024 * 1024;

  for (const [name, path, headers, expected] of [
    ['the WPPConnect webhook with a wrong URL token', '/webhooks/wppconnect/not-the-token', {}, 'Unknown webhook token'],
    ['the Chatwoot webhook without a signature', '/webhooks/chatwoot', {}, 'Invalid webhook signature'],
    ['the Chatwoot token URL when none is configured', '/webhooks/chatwoot/a-guess', {}, 'Unknown webhook token'],
    ['a reviewer decision without a bearer token', `/drivers/${randomUUID()}/reject`, {}, 'A reviewer bearer token is required'],
    ['a reviewer decision with an unknown bearer token', `/drivers/${randomUUID()}/reject`, { authorization: 'Bearer not-a-reviewer-token-at-all' }, 'Unknown reviewer token'],
  ] as const) {
    it(`refuses ${name} with 401 before reading a 50 MB body`, async () => {
      const answer = await within(5000, name, postWithoutBody(url(path), headers, fiftyMegabytes));
      assert.equal(answer.status, 401);
      assert.equal((JSON.parse(answer.body) as { error: string }).error, expected);
    });
  }

  it('refuses the intake without or with a wrong X-Intake-Token with 401 in pt-PT, before reading the body, and stores nothing', async () => {
    for (const headers of [{}, { 'x-intake-token': `${intakeSecret}x` }] as Record<string, string>[]) {
      const answer = await within(5000, 'the intake', postWithoutBody(url('/drivers/register-typebot/'), headers, fiftyMegabytes));
      assert.equal(answer.status, 401);
      assert.deepEqual(JSON.parse(answer.body), { success: false, error: submissionErrors.unauthorized, fields: {} });
    }
    assert.deepEqual(await system().storedFiles(), []);
  });

  it("reads an authenticated WPPConnect webhook up to WPPCONNECT_WEBHOOK_BODY_MB and refuses a larger one with 413", async () => {
    const sut = system();
    const path = `/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN}`;
    const small = await sut.call('POST', path, { event: 'status-find', session: 'test', status: 'inChat' });
    assert.equal(small.status, 200);
    const large = await sut.call('POST', path, { event: 'status-find', session: 'test', status: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal(large.status, 413);
  });

  it('reads at most CHATWOOT_WEBHOOK_BODY_MB of a signed-looking Chatwoot webhook, and 64 KiB of a reviewer request', async () => {
    const sut = system();
    const padding = 'x'.repeat(1024 * 1024 + 10);
    const chatwoot = await sut.call('POST', '/webhooks/chatwoot', { event: 'message_created', padding }, { 'x-chatwoot-signature': 'sha256=00', 'x-chatwoot-timestamp': String(Math.floor(Date.now() / 1000)) });
    assert.equal(chatwoot.status, 413);
    const reviewer = await sut.call('POST', `/drivers/${randomUUID()}/reject`, { reason: 'x'.repeat(70 * 1024) }, { authorization: `Bearer ${sut.reviewerToken}` });
    assert.equal(reviewer.status, 413);
    assert.ok(await refusals(sut, '/webhooks/chatwoot', 'body_too_large') >= 1);
  });

  it('counts refusals in api_requests_refused_total by route template and reason, never by token', async () => {
    const sut = system();
    const before = await refusals(sut, '/webhooks/wppconnect/:token', 'unauthorized');
    assert.equal((await sut.call('POST', '/webhooks/wppconnect/another-wrong-token', {})).status, 401);
    assert.equal(await refusals(sut, '/webhooks/wppconnect/:token', 'unauthorized'), before + 1);
    assert.doesNotMatch(await sut.system.metrics.metrics(), /another-wrong-token/);
  });
});

describe('per-address limit: the unauthenticated and the wrong-token only', () => {
  const system = useTestSystem({ RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_WINDOW: '10m' }, { bridge: true, worker: false });

  it('answers 429 with Retry-After past the limit, and never throttles an authenticated WPPConnect or reviewer', async () => {
    const sut = system();
    const wrong = () => sut.call('POST', '/webhooks/wppconnect/not-the-token', {});
    assert.deepEqual([(await wrong()).status, (await wrong()).status, (await wrong()).status], [401, 401, 401]);
    const response = await fetch(`${sut.system.apiUrl}/webhooks/wppconnect/not-the-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 429);
    const retryAfter = Number(response.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    assert.deepEqual(await response.json(), { error: 'Too many requests from this address; retry later', type: 'RateLimited', fields: {} });
    // The same address, authenticated: WPPConnect posts every chat's webhooks from one address.
    for (let i = 0; i < 10; i += 1) {
      assert.equal((await sut.call('POST', `/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN}`, { event: 'status-find', session: 'test', status: 'inChat' })).status, 200);
      assert.equal((await sut.asReviewer('GET', '/drivers?limit=1')).status, 200);
    }
    // Unauthenticated routes count too.
    assert.equal((await sut.call('GET', '/health')).status, 429);
    assert.ok(await refusals(sut, '/webhooks/wppconnect/:token', 'rate_limited_address') >= 1);
  });
});

describe('intake limits: per NIF, per phone, and intakes in flight', () => {
  const intakeSecret = `test-intake-${randomUUID()}`;
  const system = useTestSystem({
    INTAKE_SHARED_SECRET: intakeSecret, RATE_LIMIT_INTAKE_PER_NIF: '2', RATE_LIMIT_INTAKE_PER_PHONE: '2', RATE_LIMIT_INTAKE_WINDOW: '1h',
    INTAKE_MAX_IN_FLIGHT: '1', INTAKE_QUEUE_WAIT: '1s', RATE_LIMIT_PER_ADDRESS: '1000',
  }, { worker: false });
  let documents: SampleDocuments;
  const submit = (payload: Record<string, unknown>) => system().call('POST', '/drivers/register-typebot/', payload, { 'x-intake-token': intakeSecret });

  it('refuses a third submission for one NIF within the window with 429, Retry-After and a pt-PT sentence, storing nothing', async () => {
    documents = await sampleDocuments();
    const nif = randomNif();
    assert.equal((await submit(flatPayload(documents, { nif }))).status, 201);
    assert.equal((await submit(flatPayload(documents, { nif }))).status, 409, 'the second is counted, though refused as a duplicate');
    const files = (await system().storedFiles()).length;
    const response = await fetch(`${system().system.apiUrl}/drivers/register-typebot/`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-intake-token': intakeSecret }, body: JSON.stringify(flatPayload(documents, { nif })),
    });
    assert.equal(response.status, 429);
    const retryAfter = Number(response.headers.get('retry-after'));
    assert.ok(retryAfter > 3000 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.deepEqual(await response.json(), { success: false, error: requestErrors.tooManySubmissions, fields: {} });
    assert.equal(await registrationRows(system(), nif), 1);
    assert.equal((await system().storedFiles()).length, files);
    assert.equal(await refusals(system(), '/drivers/register-typebot/', 'rate_limited_nif'), 1);
  });

  it('refuses a third submission for one phone number under different NIFs', async () => {
    const telefone = randomMobile();
    const [first, second, third] = [randomNif(), randomNif(), randomNif()];
    assert.equal((await submit(flatPayload(documents, { nif: first, telefone }))).status, 201);
    assert.equal((await submit(flatPayload(documents, { nif: second, telefone: telefone.replace(/ /g, '') }))).status, 201, 'the same number written another way');
    const answer = await submit(flatPayload(documents, { nif: third, telefone: `+351 ${telefone}` }));
    assert.deepEqual([answer.status, answer.body.error], [429, requestErrors.tooManySubmissions]);
    assert.equal(await registrationRows(system(), third), 0);
  });

  it('answers 503 with Retry-After and a pt-PT sentence when no slot comes within INTAKE_QUEUE_WAIT, and takes the next once one ends', async () => {
    const url = `${system().system.apiUrl}/drivers/register-typebot/`;
    const headers = { 'content-type': 'application/json', 'x-intake-token': intakeSecret };
    let held = holdOpen(url, headers);
    try {
      const busy = await eventually(async () => {
        // The held request may have come while a probe had the slot: it was refused, hold another.
        if (held.answered()) {
          held = holdOpen(url, headers);
          return undefined;
        }
        const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(flatPayload(documents)) });
        return response.status === 503 ? { retryAfter: response.headers.get('retry-after'), body: await response.json() } : undefined;
      }, 10_000, 'a 503 while the slot is held');
      assert.equal(busy.retryAfter, '5');
      assert.deepEqual(busy.body, { success: false, error: requestErrors.busy, fields: {} });
    } finally {
      held.release();
    }
    await held.closed;
    const nif = randomNif();
    const answer = await eventually(async () => {
      const next = await submit(flatPayload(documents, { nif }));
      return next.status === 503 ? undefined : next;
    }, 10_000, 'the slot given back');
    assert.equal(answer.status, 201);
    assert.ok(await refusals(system(), '/drivers/register-typebot/', 'busy') >= 1);
  });

  it('lets a registration that finds every slot taken wait in line, and takes it as soon as one is given back', async () => {
    const url = `${system().system.apiUrl}/drivers/register-typebot/`;
    const headers = { 'content-type': 'application/json', 'x-intake-token': intakeSecret };
    const held = holdOpen(url, headers);
    // The held request has the slot once a probe is refused (each probe waits its second in line).
    await eventually(async () => ((await fetch(url, { method: 'POST', headers, body: '{}' })).status === 503 ? true : undefined), 10_000, 'the slot held');
    const nif = randomNif();
    const waiting = submit(flatPayload(documents, { nif }));
    await sleep(300);
    assert.equal(await registrationRows(system(), nif), 0, 'nothing done while it waits');
    assert.deepEqual(await intakeLoad(system()), { inFlight: 1, waiting: 1 }, 'the metrics show the slot taken and the line');
    held.release();
    await held.closed;
    const answer = await waiting;
    assert.equal(answer.status, 201, 'taken from the line, not refused');
    assert.equal(await registrationRows(system(), nif), 1);
    assert.deepEqual(await intakeLoad(system()), { inFlight: 0, waiting: 0 });
  });

  it('gives back nothing to a driver who left while waiting: the slot goes to the next one', async () => {
    const url = `${system().system.apiUrl}/drivers/register-typebot/`;
    const headers = { 'content-type': 'application/json', 'x-intake-token': intakeSecret };
    const held = holdOpen(url, headers);
    await eventually(async () => ((await fetch(url, { method: 'POST', headers, body: '{}' })).status === 503 ? true : undefined), 10_000, 'the slot held');
    // In line, then gone.
    const leaving = new AbortController();
    const left = fetch(url, { method: 'POST', headers, body: JSON.stringify(flatPayload(documents)), signal: leaving.signal }).catch(() => 'left');
    await sleep(200);
    leaving.abort();
    assert.equal(await left, 'left');
    held.release();
    await held.closed;
    const answer = await submit(flatPayload(documents, { nif: randomNif() }));
    assert.equal(answer.status, 201, 'the slot is free: the one who left did not keep it');
  });
});
