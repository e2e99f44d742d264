/**
 * The WPPConnect simulator's session states over HTTP, held to CONTRACTS.md §2.2 (session
 * lifecycle, "Observed against the real server") and §2.5 (status-find, qrcode, closesession,
 * logoutsession webhooks): what status-session, check-connection-session, qrcode-session,
 * start-session, close-session, logout-session and a send answer in each state, and which
 * webhooks each control POSTs.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import type { WppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { startWppConnectSimulator } from '../simulators/wppconnect/index.ts';
import type { WebhookReceiver } from '../simulators/wppconnect/webhook-receiver.ts';
import { startWebhookReceiver } from '../simulators/wppconnect/webhook-receiver.ts';

const PHONE = '351912345678';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const INACTIVE = 'A sessão do WhatsApp não está ativa.';

interface Answer {
  status: number;
  type: string;
  json: Record<string, unknown> | undefined;
  bytes: Buffer;
}

interface Setup {
  sim: WppConnectSimulator;
  receiver: WebhookReceiver;
  call(method: 'GET' | 'POST', route: string, body?: unknown, session?: string): Promise<Answer>;
  /** The webhook payloads received so far (once every pending one was attempted), from the `from`th on. */
  webhooks(from?: number): Promise<Array<Record<string, unknown>>>;
}

async function setup(t: TestContext): Promise<Setup> {
  const receiver = await startWebhookReceiver();
  t.after(() => receiver.close());
  const sim = await startWppConnectSimulator({ ackDelayMs: null, webhookUrl: receiver.url });
  t.after(() => sim.close());
  const tokens = new Map<string, string>();
  async function tokenFor(session: string): Promise<string> {
    const known = tokens.get(session);
    if (known !== undefined) return known;
    const response = await fetch(`${sim.url}/api/${session}/${sim.secretKey}/generate-token`, { method: 'POST' });
    const { token } = (await response.json()) as { token: string };
    tokens.set(session, token);
    return token;
  }
  return {
    sim,
    receiver,
    async call(method, route, body, session = sim.session) {
      const response = await fetch(`${sim.url}/api/${session}/${route}`, {
        method,
        headers: { authorization: `Bearer ${await tokenFor(session)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type') ?? '';
      const json = type.startsWith('application/json') ? (JSON.parse(bytes.toString('utf8')) as Record<string, unknown>) : undefined;
      return { status: response.status, type, json, bytes };
    },
    async webhooks(from = 0) {
      await sim.settled();
      return receiver.received.slice(from).map((delivery) => delivery.body);
    },
  };
}

const send = (s: Setup) => s.call('POST', 'send-message', { phone: PHONE, isGroup: false, message: 'Olá' });
const statusOf = async (s: Setup) => (await s.call('GET', 'status-session')).json;
const connectedOf = async (s: Setup) => (await s.call('GET', 'check-connection-session')).json;

function assertPng(bytes: Buffer): void {
  assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE, 'a PNG');
  assert.equal(bytes.subarray(12, 16).toString('ascii'), 'IHDR');
}

test('a closed session: status CLOSED, check Disconnected, no QR, sends 404, close-session a no-op', async (t) => {
  const s = await setup(t);
  s.sim.setConnected(false);
  assert.equal(s.sim.connection(), 'CLOSED');
  assert.deepEqual(await statusOf(s), { status: 'CLOSED', qrcode: null });
  assert.deepEqual(await connectedOf(s), { status: false, message: 'Disconnected' });
  const qr = await s.call('GET', 'qrcode-session');
  assert.equal(qr.status, 200);
  assert.deepEqual(qr.json, { status: null, message: 'Session not started. Please, use the /start-session route...' });
  const sent = await send(s);
  assert.equal(sent.status, 404);
  assert.equal(sent.json?.message, INACTIVE);
  const closed = await s.call('POST', 'close-session');
  assert.deepEqual([closed.status, closed.json], [200, { status: true, message: 'Session successfully closed' }]);
  assert.deepEqual(await s.webhooks(), [], 'closing a closed session posts nothing');

  // Any other session name was never started.
  assert.deepEqual((await s.call('GET', 'status-session', undefined, 'other')).json, { status: 'CLOSED', qrcode: null });
});

test('start-session on a closed session shows a QR: CLOSED at once, then QRCODE, the qrcode webhook and the PNG', async (t) => {
  const s = await setup(t);
  const other = await startWebhookReceiver();
  t.after(() => other.close());
  s.sim.setConnected(false);
  const started = await s.call('POST', 'start-session', { webhook: other.url });
  assert.deepEqual([started.status, started.json], [200, { status: 'CLOSED', qrcode: null }]);
  assert.equal(s.sim.connection(), 'QRCODE');

  await s.sim.settled();
  assert.equal(s.receiver.received.length, 0, 'the start-session webhook wins over the global one');
  const [qrEvent] = other.received.map((delivery) => delivery.body);
  assert.deepEqual(Object.keys(qrEvent ?? {}), ['event', 'session', 'qrcode', 'urlcode']);
  assert.deepEqual([qrEvent?.event, qrEvent?.session], ['qrcode', 'bridge']);
  const png = Buffer.from(String(qrEvent?.qrcode), 'base64');
  assertPng(png);
  assert.match(String(qrEvent?.urlcode), /^2@/);

  const status = await statusOf(s);
  assert.deepEqual(status, { status: 'QRCODE', qrcode: `data:image/png;base64,${png.toString('base64')}`, urlcode: qrEvent?.urlcode, version: '2.10.4' });
  const image = await s.call('GET', 'qrcode-session');
  assert.deepEqual([image.status, image.type], [200, 'image/png']);
  assert.deepEqual(image.bytes, png);

  // The browser client is up: the checks pass, and WhatsApp, not logged in, knows no number.
  assert.deepEqual(await connectedOf(s), { status: true, message: 'Connected' });
  const sent = await send(s);
  assert.deepEqual([sent.status, sent.json], [400, { response: null, status: 'Connected', message: `O número ${PHONE} não existe.` }]);

  // Already running: the status-session shape, nothing changes.
  const again = await s.call('POST', 'start-session', { webhook: s.receiver.url });
  assert.deepEqual(again.json, status);
  await s.sim.settled();
  assert.deepEqual([s.receiver.received.length, other.received.length], [0, 1]);
});

test('start-session with waitQrCode answers the QR itself, base64 without prefix', async (t) => {
  const s = await setup(t);
  s.sim.setConnected(false);
  const started = await s.call('POST', 'start-session', { waitQrCode: true });
  assert.equal(started.status, 200);
  assert.deepEqual(Object.keys(started.json ?? {}), ['status', 'qrcode', 'urlcode', 'session']);
  assert.deepEqual([started.json?.status, started.json?.session], ['qrcode', 'bridge']);
  assert.doesNotMatch(String(started.json?.qrcode), /^data:/);
  assertPng(Buffer.from(String(started.json?.qrcode), 'base64'));
  const [qrEvent] = await s.webhooks();
  assert.deepEqual([qrEvent?.qrcode, qrEvent?.urlcode], [started.json?.qrcode, started.json?.urlcode]);
});

test('requireQr posts status-find notLogged then qrcode, with a new QR on every call', async (t) => {
  const s = await setup(t);
  const first = await s.sim.requireQr();
  const second = await s.sim.requireQr();
  assert.equal(s.sim.connection(), 'QRCODE');
  assert.notDeepEqual(first.png, second.png);
  assert.notEqual(first.urlcode, second.urlcode);
  assertPng(second.png);
  assert.deepEqual(await s.webhooks(), [
    { event: 'status-find', session: 'bridge', status: 'notLogged' },
    { event: 'qrcode', session: 'bridge', qrcode: first.png.toString('base64'), urlcode: first.urlcode },
    { event: 'status-find', session: 'bridge', status: 'notLogged' },
    { event: 'qrcode', session: 'bridge', qrcode: second.png.toString('base64'), urlcode: second.urlcode },
  ]);
  assert.deepEqual((await s.call('GET', 'qrcode-session')).bytes, second.png, 'qrcode-session has the latest QR');
});

test('scanQr posts qrReadSuccess then inChat; the session is CONNECTED and sends go through', async (t) => {
  const s = await setup(t);
  const qr = await s.sim.requireQr();
  await s.sim.scanQr();
  assert.equal(s.sim.connection(), 'CONNECTED');
  assert.deepEqual(await s.webhooks(2), [
    { event: 'status-find', session: 'bridge', status: 'qrReadSuccess' },
    { event: 'status-find', session: 'bridge', status: 'inChat' },
  ]);
  // urlcode may still hold the last QR string after login (§2.2); no QR is pending.
  assert.deepEqual(await statusOf(s), { status: 'CONNECTED', qrcode: null, urlcode: qr.urlcode, version: '2.10.4' });
  const image = await s.call('GET', 'qrcode-session');
  assert.deepEqual(image.json, { status: 'CONNECTED', message: 'QRCode is not available...' });
  assert.equal((await send(s)).status, 201);
});

test('phoneOffline: status-find phoneNotConnected; the server still says CONNECTED but knows no number; phoneOnline: inChat', async (t) => {
  const s = await setup(t);
  await s.sim.phoneOffline();
  assert.equal(s.sim.connection(), 'PHONE_OFFLINE');
  assert.deepEqual(await statusOf(s), { status: 'CONNECTED', qrcode: null, version: '2.10.4' });
  assert.deepEqual(await connectedOf(s), { status: true, message: 'Connected' });
  const sent = await send(s);
  assert.deepEqual([sent.status, sent.json?.message], [400, `O número ${PHONE} não existe.`]);
  assert.deepEqual((await s.call('GET', 'qrcode-session')).json, { status: 'CONNECTED', message: 'QRCode is not available...' });

  await s.sim.phoneOnline();
  assert.equal(s.sim.connection(), 'CONNECTED');
  assert.equal((await send(s)).status, 201);
  assert.deepEqual(await s.webhooks(), [
    { event: 'status-find', session: 'bridge', status: 'phoneNotConnected' },
    { event: 'status-find', session: 'bridge', status: 'inChat' },
  ]);
});

test('disconnectMobile: status-find disconnectedMobile and the server closes the session', async (t) => {
  const s = await setup(t);
  await s.sim.phoneOffline();
  await s.sim.disconnectMobile();
  assert.equal(s.sim.connection(), 'CLOSED');
  assert.deepEqual(await s.webhooks(1), [{ event: 'status-find', session: 'bridge', status: 'disconnectedMobile' }]);
  assert.deepEqual(await statusOf(s), { status: 'CLOSED', qrcode: null });
  assert.deepEqual(await connectedOf(s), { status: false, message: 'Disconnected' });
  assert.equal((await send(s)).status, 404);
});

test('failStart: INITIALIZING for good, no webhook; close-session answers 500 but resets it to CLOSED', async (t) => {
  const s = await setup(t);
  s.sim.failStart();
  assert.equal(s.sim.connection(), 'INITIALIZING');
  const initializing = { status: 'INITIALIZING', qrcode: null, version: '2.10.4' };
  assert.deepEqual(await statusOf(s), initializing);
  assert.deepEqual(await connectedOf(s), { status: false, message: 'Disconnected' });
  assert.deepEqual((await s.call('GET', 'qrcode-session')).json, { status: 'INITIALIZING', message: 'QRCode is not available...' });
  const sent = await send(s);
  assert.deepEqual([sent.status, sent.json?.message], [404, INACTIVE]);
  assert.deepEqual((await s.call('POST', 'start-session', { waitQrCode: true })).json, initializing, 'a second start does nothing');
  assert.equal(s.sim.connection(), 'INITIALIZING');

  const closed = await s.call('POST', 'close-session');
  assert.deepEqual([closed.status, closed.json?.status, closed.json?.message], [500, false, 'Error closing session']);
  assert.equal(s.sim.connection(), 'CLOSED');
  assert.deepEqual(await statusOf(s), { status: 'CLOSED', qrcode: null });
  assert.deepEqual(await s.webhooks(), []);
});

test('close-session and logout-session close a running session and post closesession / logoutsession', async (t) => {
  const s = await setup(t);
  const closed = await s.call('POST', 'close-session');
  assert.deepEqual([closed.status, closed.json], [200, { status: true, message: 'Session successfully closed' }]);
  assert.equal(s.sim.connection(), 'CLOSED');
  assert.deepEqual(await statusOf(s), { status: 'CLOSED', qrcode: null });
  assert.deepEqual(await s.webhooks(), [{ event: 'closesession', session: 'bridge', message: 'Session: bridge disconnected', connected: false }]);

  await s.sim.requireQr();
  const loggedOut = await s.call('POST', 'logout-session');
  assert.deepEqual([loggedOut.status, loggedOut.json], [200, { status: true, message: 'Session successfully closed' }]);
  assert.equal(s.sim.connection(), 'CLOSED');
  assert.equal((await s.call('GET', 'qrcode-session')).json?.status, null, 'the QR went with the session');
  assert.deepEqual(await s.webhooks(3), [{ event: 'logoutsession', session: 'bridge', message: 'Session: bridge disconnected', connected: false }]);
});

test('the controls change the state at once and post in call order, awaited or not', async (t) => {
  const s = await setup(t);
  const qr = s.sim.requireQr();
  assert.equal(s.sim.connection(), 'QRCODE');
  void s.sim.scanQr();
  assert.equal(s.sim.connection(), 'CONNECTED');
  const offline = s.sim.phoneOffline();
  assert.equal(s.sim.connection(), 'PHONE_OFFLINE');
  await offline;
  const events = await s.webhooks();
  assert.deepEqual(
    events.map((event) => (event.event === 'status-find' ? event.status : event.event)),
    ['notLogged', 'qrcode', 'qrReadSuccess', 'inChat', 'phoneNotConnected'],
  );
  assert.equal(events[1]?.urlcode, (await qr).urlcode);
});

test('the controls refuse at once a state the session is not in', async (t) => {
  const s = await setup(t);
  assert.throws(() => s.sim.scanQr(), /scanQr: the session is CONNECTED, not QRCODE/);
  assert.throws(() => s.sim.phoneOnline(), /phoneOnline: the session is CONNECTED, not PHONE_OFFLINE/);
  s.sim.failStart();
  assert.throws(() => s.sim.requireQr(), /requireQr: the session is INITIALIZING/);
  assert.throws(() => s.sim.disconnectMobile(), /disconnectMobile: the session is INITIALIZING, not CONNECTED or PHONE_OFFLINE/);
  s.sim.setConnected(true);
  assert.equal(s.sim.connection(), 'CONNECTED');
  assert.deepEqual(await s.webhooks(), []);
});
