/**
 * The real WPPConnect client against the WPPConnect simulator over real HTTP.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import type { WppConnectClientOptions } from '../../integrations/wppconnect/client.ts';
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
import { ErrorType } from '../../domain/errors.ts';
import type { WppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { startWppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { eventually } from '../support/eventually.ts';
import { assertRetryable, assertPermanent } from '../support/failures.ts';

const PHONE = '351912345678';

async function simulator(t: TestContext, secretKey = 'sim-secret-key'): Promise<WppConnectSimulator> {
  const sim = await startWppConnectSimulator({ secretKey });
  t.after(() => sim.close());
  return sim;
}

function clientFor(sim: WppConnectSimulator, options: Partial<WppConnectClientOptions> = {}) {
  return createWppConnectClient({ baseUrl: sim.url, session: sim.session, secretKey: sim.secretKey, timeoutMs: 2_000, ...options });
}

async function tokenFrom(sim: WppConnectSimulator, session = sim.session): Promise<string> {
  const response = await fetch(`${sim.url}/api/${session}/${sim.secretKey}/generate-token`, { method: 'POST' });
  assert.equal(response.status, 201);
  return ((await response.json()) as { token: string }).token;
}

const routesCalled = (sim: WppConnectSimulator) => sim.requests.map((request) => `${request.route} ${request.status}`);

test('generates a token from the secret key when none is configured, and only once', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  await client.sendText({ phone: PHONE, message: 'Olá Rui!' });
  await client.sendText({ phone: PHONE, message: 'Bem-vindo.' });
  assert.deepEqual(routesCalled(sim), [
    '/api/:session/:secretkey/generate-token 201',
    '/api/:session/send-message 201',
    '/api/:session/send-message 201',
  ]);
});

test('uses a configured token without generating one', async (t) => {
  const sim = await simulator(t);
  const token = await tokenFrom(sim);
  const client = clientFor(sim, { token, secretKey: undefined });
  assert.deepEqual(await client.connectionStatus(), { connected: true });
  assert.deepEqual(routesCalled(sim), ['/api/:session/:secretkey/generate-token 201', '/api/:session/check-connection-session 200']);
});

test('renews a token the server no longer accepts, once, and retries the request', async (t) => {
  const sim = await simulator(t, 'old-secret');
  const stale = await tokenFrom(sim);
  sim.setSecretKey('new-secret'); // the server restarted with a new SECRET_KEY
  const client = clientFor(sim, { token: stale, secretKey: 'new-secret' });
  const { messageId } = await client.sendText({ phone: PHONE, message: 'Olá Rui!' });
  assert.deepEqual(routesCalled(sim).slice(1), [
    '/api/:session/send-message 401',
    '/api/:session/:secretkey/generate-token 201',
    '/api/:session/send-message 201',
  ]);
  assert.deepEqual(sim.sent.map((sent) => sent.id), [messageId]);
});

test('a rejected token with no secret key to renew it is permanent and never shows the token', async (t) => {
  const sim = await simulator(t);
  const otherSessionsToken = await tokenFrom(sim, 'another-session');
  const client = clientFor(sim, { token: otherSessionsToken, secretKey: undefined });
  const failure = await assertPermanent(client.sendText({ phone: PHONE, message: 'Olá' }), ErrorType.ExternalServiceRejected);
  assert.ok(!failure.message.includes(otherSessionsToken));
  assert.equal(sim.sent.length, 0);
});

test('a wrong secret key is permanent and never shows the secret', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim, { secretKey: 'not-the-secret-key' });
  const failure = await assertPermanent(client.connectionStatus(), ErrorType.ExternalServiceRejected);
  assert.match(failure.message, /The SECRET_KEY is incorrect/);
  assert.ok(!failure.message.includes('not-the-secret-key'));
});

test('sendText returns the WhatsApp message id, and the simulator recorded the message', async (t) => {
  const sim = await simulator(t);
  const { messageId } = await clientFor(sim).sendText({ phone: PHONE, message: 'Olá Rui!' });
  assert.match(messageId, /^true_351912345678@c\.us_3EB0[0-9A-F]+$/);
  assert.equal(sim.sent.length, 1);
  assert.deepEqual({ ...sim.sent[0], at: undefined }, { id: messageId, phone: PHONE, body: 'Olá Rui!', at: undefined });
});

test('a number WhatsApp does not know is a non-retryable WhatsAppRecipientUnknown', async (t) => {
  const sim = await simulator(t);
  sim.setUnknownNumbers(['351900000000']);
  const failure = await assertPermanent(
    clientFor(sim).sendText({ phone: '351900000000', message: 'Olá' }),
    ErrorType.WhatsAppRecipientUnknown,
  );
  assert.match(failure.message, /O número … não existe\./);
  assert.ok(!failure.message.includes('351900000000'), 'the number is not in the message (it is logged)');
  assert.equal(sim.sent.length, 0);
});

test('429, 500, 502 and 503 are retryable, and the next attempt goes through', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  for (const status of [429, 500, 502, 503] as const) {
    sim.faults.failNext(1, status);
    await assertRetryable(client.sendText({ phone: PHONE, message: 'Olá' }), new RegExp(`answered ${status}`));
    await client.sendText({ phone: PHONE, message: `after ${status}` });
  }
  assert.deepEqual(sim.sent.map((sent) => sent.body), ['after 429', 'after 500', 'after 502', 'after 503']);
});

test('an answer slower than timeoutMs is a retryable timeout (and the message may still go out)', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim, { timeoutMs: 100 });
  await client.connectionStatus(); // token in hand, so the send is what times out
  sim.faults.delayMs = 300;
  await assertRetryable(client.sendText({ phone: PHONE, message: 'Olá' }), /send-message timed out after 100 ms/);
  // The client gave up on the answer, not the server on the send: it is recorded, once.
  await eventually(async () => (sim.sent.length > 0 ? true : undefined), 5_000, 'the send on the server');
  assert.equal(sim.sent.length, 1, 'the server finished the send after the client gave up');
});

test('a disconnected session is retryable, and sending works again once it is back', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  sim.setConnected(false);
  assert.deepEqual(await client.connectionStatus(), { connected: false });
  await assertRetryable(client.sendText({ phone: PHONE, message: 'Olá' }), /A sessão do WhatsApp não está ativa/);
  await assertRetryable(client.chatMessages({ chatId: `${PHONE}@c.us`, count: 5 }), /answered 404/);
  sim.setConnected(true);
  await client.sendText({ phone: PHONE, message: 'Olá' });
  assert.equal(sim.sent.length, 1);
});

test('a crashed server (connection reset) is retryable and sends nothing', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  await client.connectionStatus();
  sim.faults.down = true;
  await assertRetryable(client.sendText({ phone: PHONE, message: 'Olá' }), /send-message failed/);
  assert.equal(sim.sent.length, 0);
  sim.faults.down = false;
  await client.sendText({ phone: PHONE, message: 'Olá' });
  assert.equal(sim.sent.length, 1);
});

test('an unreachable server is retryable', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  await sim.close();
  await assertRetryable(client.connectionStatus(), /failed.*ECONNREFUSED/);
});

test('chatMessages returns what was sent to that chat, newest last, at most count', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  for (const message of ['um', 'dois', 'três']) await client.sendText({ phone: PHONE, message });
  await client.sendText({ phone: '351934567890', message: 'outro' });
  const messages = await client.chatMessages({ chatId: `${PHONE}@c.us`, count: 2 });
  assert.deepEqual(
    messages.map(({ body, fromMe, type }) => ({ body, fromMe, type })),
    [
      { body: 'dois', fromMe: true, type: 'chat' },
      { body: 'três', fromMe: true, type: 'chat' },
    ],
  );
  assert.deepEqual(messages.map((message) => message.id), sim.sent.slice(1, 3).map((sent) => sent.id));
  assert.ok(messages.every((message) => Math.abs(message.timestamp * 1000 - Date.now()) < 60_000));
});

test('chatMessages of a chat this phone never had is empty', async (t) => {
  const sim = await simulator(t);
  assert.deepEqual(await clientFor(sim).chatMessages({ chatId: `${PHONE}@c.us`, count: 10 }), []);
  assert.deepEqual(routesCalled(sim).slice(1), ['/api/:session/get-messages/:phone 401']);
});

test('a phone that is not plain international digits is rejected before calling the server', async (t) => {
  const sim = await simulator(t);
  await assertPermanent(clientFor(sim).sendText({ phone: '+351 912 345 678', message: 'Olá' }), ErrorType.ValidationFailed);
  assert.equal(sim.requests.length, 0);
});

test("a controller's own 401 (no file to send) is not taken for a rejected token", async () => {
  const calls: string[] = [];
  const fakeFetch = (input: string | URL | Request): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url.split('/').pop() ?? '');
    const body = url.endsWith('generate-token') ? { status: 'success', token: 't' } : { message: 'Sending the file is mandatory' };
    return Promise.resolve(new Response(JSON.stringify(body), { status: url.endsWith('generate-token') ? 201 : 401 }));
  };
  const client = createWppConnectClient({ baseUrl: 'http://wpp.test', session: 'bridge', secretKey: 'secret', fetch: fakeFetch });
  const failure = await assertPermanent(
    client.sendFile({ phone: PHONE, dataUrl: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' }),
    ErrorType.ExternalServiceRejected,
  );
  assert.match(failure.message, /send-file-base64 answered 401: Sending the file is mandatory/);
  assert.deepEqual(calls, ['generate-token', 'send-file-base64'], 'no token renewal, no second attempt');
});
