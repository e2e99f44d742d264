/**
 * The WPPConnect client's reads — chat history, polling, chat lists, LIDs — against
 * the simulator over real HTTP.
 */
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
import { ErrorType } from '../../domain/errors.ts';
import { startWppConnectSimulator } from '../simulators/wppconnect/index.ts';

const PHONE = '351912345678';
const CHAT = `${PHONE}@c.us`;

/** A WhatsApp clock one minute further on each message, so timestamps differ. */
function steppingClock(): () => Date {
  let at = Date.parse('2026-09-01T08:00:00Z');
  return () => new Date((at += 60_000));
}

async function setup(t: TestContext) {
  const sim = await startWppConnectSimulator({ secretKey: 'sim-secret-key', ackDelayMs: null, now: steppingClock() });
  t.after(() => sim.close());
  const client = createWppConnectClient({ baseUrl: sim.url, session: sim.session, secretKey: sim.secretKey, timeoutMs: 2_000 });
  return { sim, client };
}

async function assertValidationFailed(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ApplicationFailure, 'expected an ApplicationFailure');
  assert.equal(error.type, ErrorType.ValidationFailed);
}

test('chatMessages returns received and sent messages of any chat in order, oldest first', async (t) => {
  const { sim, client } = await setup(t);
  await sim.receive({ from: PHONE, body: 'um' });
  await client.sendText({ phone: PHONE, message: 'dois' });
  await sim.receive({ from: PHONE, body: 'três', pushname: 'Rui' });
  await sim.receive({ from: '351934567890', body: 'outro chat' });
  const messages = await client.chatMessages({ chatId: CHAT, count: 10 });
  assert.deepEqual(
    messages.map(({ body, fromMe, from, to, chatId }) => ({ body, fromMe, from, to, chatId })),
    [
      { body: 'um', fromMe: false, from: CHAT, to: '351930000000@c.us', chatId: CHAT },
      { body: 'dois', fromMe: true, from: '351930000000@c.us', to: CHAT, chatId: CHAT },
      { body: 'três', fromMe: false, from: CHAT, to: '351930000000@c.us', chatId: CHAT },
    ],
  );
  assert.equal(messages[2]?.pushname, 'Rui');
  assert.deepEqual(
    (await client.chatMessages({ chatId: CHAT, count: 2 })).map((message) => message.body),
    ['dois', 'três'],
  );
});

test('chatMessages pages back with beforeId, and an unknown chat has no history', async (t) => {
  const { sim, client } = await setup(t);
  const ids: string[] = [];
  for (const body of ['1', '2', '3', '4']) ids.push((await sim.receive({ from: PHONE, body })).id);
  const page = await client.chatMessages({ chatId: CHAT, count: 2, beforeId: ids[3] });
  assert.deepEqual(page.map((message) => message.body), ['2', '3']);
  assert.deepEqual(await client.chatMessages({ chatId: '351999999999@c.us', count: 5 }), []);
  await assertValidationFailed(client.chatMessages({ chatId: PHONE, count: 5 }));
});

test('media and locations have no text body: caption, mimetype and coordinates instead', async (t) => {
  const { sim, client } = await setup(t);
  await sim.receive({ from: PHONE, media: { bytes: Buffer.from('%PDF-1.4 x'), mimetype: 'application/pdf', filename: 'guia.pdf' }, caption: 'Guia' });
  await sim.receive({ from: PHONE, location: { lat: 41.15, lng: -8.61, name: 'Armazém Porto' } });
  const [document, location] = await client.chatMessages({ chatId: CHAT, count: 5 });
  assert.deepEqual(
    { type: document?.type, body: document?.body, caption: document?.caption, filename: document?.filename, hasMedia: document?.hasMedia },
    { type: 'document', body: '', caption: 'Guia', filename: 'guia.pdf', hasMedia: true },
  );
  assert.deepEqual({ type: location?.type, body: location?.body, location: location?.location, hasMedia: location?.hasMedia }, {
    type: 'location',
    body: '',
    location: { lat: 41.15, lng: -8.61, description: 'Armazém Porto' },
    hasMedia: false,
  });
});

test('newMessages finds what arrived while webhooks were down, until the chat is read', async (t) => {
  const { sim, client } = await setup(t);
  sim.setWebhookUrl('http://127.0.0.1:9/unreachable');
  sim.faults.webhookDown = true;
  const first = await sim.receive({ from: PHONE, body: 'a caminho' });
  const second = await sim.receive({ from: '351934567890', body: 'cheguei' });
  const found = await client.newMessages();
  assert.deepEqual(found.map((message) => message.id), [first.id, second.id]);
  assert.deepEqual((await client.newMessages()).map((message) => message.id), [first.id, second.id], 'not a queue: same answer until read');

  await client.markChatRead(CHAT);
  assert.deepEqual((await client.newMessages()).map((message) => message.id), [second.id]);
  await client.sendText({ phone: '351934567890', message: 'Obrigado' }); // sending reads the chat too
  assert.deepEqual(await client.newMessages(), []);

  const third = await sim.receive({ from: PHONE, body: 'esqueci-me' });
  assert.deepEqual(
    (await client.newMessages()).map((message) => message.id),
    [first.id, third.id],
    'a chat with a new unread message brings back its earlier new messages too',
  );
  assert.deepEqual(sim.webhookDeliveries.map((delivery) => delivery.outcome), ['skipped', 'skipped', 'skipped']);
});

test('listChats lists chats latest activity first, with unread counts, and only unread ones on request', async (t) => {
  const { sim, client } = await setup(t);
  await sim.receive({ from: '120363025246125486', isGroup: true, author: '351934567890', body: 'grupo' });
  await sim.receive({ from: PHONE, body: 'olá' });
  await sim.receive({ from: PHONE, body: 'está?' });
  await client.sendText({ phone: '351961111111', message: 'Bom dia' });
  const chats = await client.listChats({ count: 10 });
  assert.deepEqual(chats, [
    { id: '351961111111@c.us', unreadCount: 0, lastMessageAt: Date.parse('2026-09-01T08:04:00Z') / 1000, isGroup: false },
    { id: CHAT, unreadCount: 2, lastMessageAt: Date.parse('2026-09-01T08:03:00Z') / 1000, isGroup: false },
    { id: '120363025246125486@g.us', unreadCount: 1, lastMessageAt: Date.parse('2026-09-01T08:01:00Z') / 1000, isGroup: true },
  ]);
  const unread = await client.listChats({ count: 10, onlyWithUnread: true });
  assert.deepEqual(unread.map((chat) => chat.id), [CHAT, '120363025246125486@g.us']);
  assert.deepEqual((await client.listChats({ count: 1 })).map((chat) => chat.id), ['351961111111@c.us']);
});

test('phoneOfLid gives the phone digits of a known LID and null for an unknown one', async (t) => {
  const { sim, client } = await setup(t);
  sim.registerLid('123456789012345@lid', PHONE);
  assert.equal(await client.phoneOfLid('123456789012345@lid'), PHONE);
  assert.equal(await client.phoneOfLid('123456789012345'), PHONE);
  assert.equal(await client.phoneOfLid('999999999999999@lid'), null);
  await assertValidationFailed(client.phoneOfLid(`${PHONE}@c.us`));
});

test('deleteMessage deletes one of our messages for everyone; a message the chat does not have is a failure', async (t) => {
  const { sim, client } = await setup(t);
  await sim.receive({ from: PHONE, body: 'Olá' });
  const { messageId } = await client.sendText({ phone: PHONE, message: 'Enviado por engano' });
  await client.deleteMessage({ chatId: CHAT, messageId });
  assert.deepEqual(sim.deletions.map((deletion) => [deletion.messageId, deletion.forEveryone]), [[messageId, true]]);
  assert.equal(sim.chats()[0]!.messages.find((message) => message.id === messageId)?.type, 'revoked');
  await assert.rejects(client.deleteMessage({ chatId: CHAT, messageId: `true_${CHAT}_3EB0000000000000000000` }));
  await assertValidationFailed(client.deleteMessage({ chatId: 'not-a-chat', messageId }));
});

test('setTyping shows "typing…" in the chat, then stops it', async (t) => {
  const { sim, client } = await setup(t);
  await client.setTyping({ chatId: CHAT, typing: true });
  await client.setTyping({ chatId: CHAT, typing: false });
  assert.deepEqual(sim.typing.map((call) => [call.chatId, call.typing]), [[CHAT, true], [CHAT, false]]);
  await assertValidationFailed(client.setTyping({ chatId: '../x', typing: true }));
});
