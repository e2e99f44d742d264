/**
 * The simulator's webhooks, received by a local HTTP server and read with the
 * bridge's parser: payload shapes (CONTRACTS.md §2.5), autoDownload, acks, faults.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
import { parseWppConnectWebhook } from '../../integrations/wppconnect/webhook.ts';
import type { WppConnectSimulatorOptions } from '../simulators/wppconnect/index.ts';
import { startWppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { startWebhookReceiver } from '../simulators/wppconnect/webhook-receiver.ts';

const PHONE = '351912345678';
const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(20_000), Buffer.from([0xff, 0xd9])]);

async function setup(t: TestContext, options: WppConnectSimulatorOptions = {}) {
  const receiver = await startWebhookReceiver();
  t.after(() => receiver.close());
  const sim = await startWppConnectSimulator({ secretKey: 'sim-secret-key', ackDelayMs: 10, webhookUrl: receiver.url, ...options });
  t.after(() => sim.close());
  const client = createWppConnectClient({ baseUrl: sim.url, session: sim.session, secretKey: sim.secretKey, timeoutMs: 2_000 });
  return { sim, client, receiver };
}

test('onmessage is a plain JSON POST of the message, fields at the top level, no auth header', async (t) => {
  const { sim, receiver } = await setup(t);
  const { id } = await sim.receive({ from: PHONE, body: 'O cliente não está em casa', pushname: 'Rui' });
  await sim.settled();
  const [delivery] = receiver.received;
  assert.equal(receiver.received.length, 1);
  assert.equal(delivery?.headers.authorization, undefined);
  assert.match(delivery?.headers['content-type'] ?? '', /^application\/json/);
  const body = delivery?.body ?? {};
  assert.deepEqual(
    { event: body.event, session: body.session, id: body.id, type: body.type, body: body.body, from: body.from, to: body.to },
    { event: 'onmessage', session: sim.session, id, type: 'chat', body: 'O cliente não está em casa', from: `${PHONE}@c.us`, to: '351930000000@c.us' },
  );
  assert.deepEqual([body.chatId, body.fromMe, body.isGroupMsg, body.notifyName], [`${PHONE}@c.us`, false, false, 'Rui']);
  assert.equal((body.sender as { pushname?: unknown }).pushname, 'Rui');
  assert.equal(typeof body.t, 'number');

  const parsed = parseWppConnectWebhook(body);
  assert.equal(parsed.kind, 'message');
  assert.equal(parsed.kind === 'message' && parsed.message.body, 'O cliente não está em casa');
  assert.deepEqual(sim.webhookDeliveries.map(({ event, outcome, status }) => ({ event, outcome, status })), [
    { event: 'onmessage', outcome: 'delivered', status: 200 },
  ]);
});

test('with autoDownload the media body is the whole file in raw base64, and content keeps the preview', async (t) => {
  const { sim, receiver } = await setup(t);
  await sim.receive({ from: PHONE, media: { bytes: photo, mimetype: 'image/jpeg' }, caption: 'Porta fechada' });
  await sim.settled();
  const body = receiver.received[0]?.body ?? {};
  assert.ok(Buffer.from(String(body.body), 'base64').equals(photo));
  assert.notEqual(body.content, body.body);
  assert.deepEqual([body.type, body.mimetype, body.caption, body.size], ['image', 'image/jpeg', 'Porta fechada', photo.length]);
  const parsed = parseWppConnectWebhook(body);
  assert.ok(parsed.kind === 'message' && parsed.message.media !== undefined, 'the parser sees the whole file');
  assert.ok(Buffer.from(parsed.message.media.base64, 'base64').equals(photo));
});

test('without autoDownload the body is only a preview: the parser leaves media out and download-media has the file', async (t) => {
  const { sim, client, receiver } = await setup(t);
  sim.setAutoDownload(false);
  const { id } = await sim.receive({ from: PHONE, media: { bytes: photo, mimetype: 'image/jpeg' } });
  await sim.settled();
  const body = receiver.received[0]?.body ?? {};
  const preview = Buffer.from(String(body.body), 'base64');
  assert.ok(preview.length > 0 && preview.length < 100 && !preview.equals(photo));
  assert.equal(body.content, body.body);
  const parsed = parseWppConnectWebhook(body);
  assert.ok(parsed.kind === 'message' && parsed.message.media === undefined && parsed.message.hasMedia);
  assert.ok((await client.downloadMedia(id)).bytes.equals(photo));
});

test('a send is followed by onack 1 then 2 with the id as an object, and a read by onack 3', async (t) => {
  const { sim, client, receiver } = await setup(t);
  const { messageId } = await client.sendText({ phone: PHONE, message: 'Olá Rui!' });
  await receiver.waitFor(2);
  await sim.markRead(messageId);
  const acks = receiver.received.map((delivery) => delivery.body);
  assert.deepEqual(acks.map((ack) => [ack.event, ack.ack]), [['onack', 1], ['onack', 2], ['onack', 3]]);
  assert.deepEqual(acks[0]?.id, {
    fromMe: true,
    remote: `${PHONE}@c.us`,
    id: messageId.split('_')[2],
    _serialized: messageId,
  });
  assert.deepEqual([acks[0]?.from, acks[0]?.to, acks[0]?.body], ['351930000000@c.us', `${PHONE}@c.us`, 'Olá Rui!']);
  assert.deepEqual(parseWppConnectWebhook(acks[2]), {
    kind: 'ack',
    session: sim.session,
    messageId,
    chatId: `${PHONE}@c.us`,
    fromMe: true,
    ack: 3,
    timestamp: acks[2]?.t,
  });
});

test('a failed delivery is recorded and never retried, and the chat stays unread for polling', async (t) => {
  const { sim, client, receiver } = await setup(t);
  receiver.status = 503;
  const { id } = await sim.receive({ from: PHONE, body: 'Olá?' });
  await sim.settled();
  assert.equal(receiver.received.length, 1);
  assert.deepEqual(sim.webhookDeliveries.map(({ outcome, status }) => ({ outcome, status })), [{ outcome: 'failed', status: 503 }]);
  assert.deepEqual((await client.newMessages()).map((message) => message.id), [id]);

  receiver.status = 200;
  await sim.receive({ from: PHONE, body: 'Já está?' });
  await sim.settled();
  assert.deepEqual(await client.newMessages(), [], 'a delivered onmessage marks the chat read (webhook.readMessage)');
});

test('duplicateWebhooks POSTs every event twice, identically', async (t) => {
  const { sim, receiver } = await setup(t);
  sim.faults.duplicateWebhooks = true;
  await sim.receive({ from: PHONE, body: 'Uma vez' });
  await sim.settled();
  assert.equal(receiver.received.length, 2);
  assert.deepEqual(receiver.received[0]?.body, receiver.received[1]?.body);
});

test('webhookDown skips deliveries but the message is in the chat', async (t) => {
  const { sim, client, receiver } = await setup(t);
  sim.faults.webhookDown = true;
  const { id } = await sim.receive({ from: PHONE, body: 'Perdido?' });
  await sim.settled();
  await client.sendText({ phone: PHONE, message: 'Não' });
  await sim.settled();
  assert.equal(receiver.received.length, 0);
  assert.deepEqual(sim.webhookDeliveries.map((delivery) => [delivery.event, delivery.outcome]), [
    ['onmessage', 'skipped'],
    ['onack', 'skipped'],
    ['onack', 'skipped'],
  ]);
  assert.equal((await client.chatMessages({ chatId: `${PHONE}@c.us`, count: 5 }))[0]?.id, id);
});

test('group messages come from the group with the participant as author; LID contacts from their LID', async (t) => {
  const { sim, receiver } = await setup(t);
  await sim.receive({ from: '120363025246125486', isGroup: true, author: '351934567890', body: 'Bom dia a todos' });
  await sim.settled();
  await sim.receive({ from: '123456789012345@lid', body: 'Sou eu', pushname: 'Ana' });
  await sim.settled();
  const [group, lid] = receiver.received.map((delivery) => parseWppConnectWebhook(delivery.body));
  assert.ok(group?.kind === 'message' && lid?.kind === 'message');
  assert.deepEqual([group.message.chatId, group.message.isGroupMsg, group.message.author], ['120363025246125486@g.us', true, '351934567890@c.us']);
  assert.match(group.message.id, /^false_120363025246125486@g\.us_3EB0[0-9A-F]+_351934567890@c\.us$/);
  assert.deepEqual([lid.message.from, lid.message.chatId, lid.message.pushname], ['123456789012345@lid', '123456789012345@lid', 'Ana']);
});

test('the first start-session sets the webhook; a running session keeps it', async (t) => {
  const { sim, receiver } = await setup(t, { webhookUrl: undefined });
  const other = await startWebhookReceiver();
  t.after(() => other.close());
  const token = ((await (await fetch(`${sim.url}/api/${sim.session}/${sim.secretKey}/generate-token`, { method: 'POST' })).json()) as { token: string }).token;
  const start = (webhook: string) =>
    fetch(`${sim.url}/api/${sim.session}/start-session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ webhook }),
    });
  await sim.receive({ from: PHONE, body: 'antes' });
  await sim.settled();
  assert.equal(sim.webhookDeliveries.length, 0, 'no webhook configured: nothing is posted');
  assert.equal((await start(receiver.url)).status, 200);
  assert.equal((await start(other.url)).status, 200);
  await sim.receive({ from: PHONE, body: 'depois' });
  await sim.settled();
  assert.deepEqual(receiver.received.map((delivery) => delivery.body.body), ['depois']);
  assert.equal(other.received.length, 0);
});
