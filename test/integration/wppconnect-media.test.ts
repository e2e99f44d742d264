/**
 * The WPPConnect client's media sends and downloads against the simulator over real HTTP.
 */
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
import { ErrorType } from '../../domain/errors.ts';
import type { WppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { startWppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { failureOf, assertPermanent } from '../support/failures.ts';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fetchInboundMedia } from '../../activities/bridge/inbound-media.ts';
import type { InboundMessage } from '../../domain/chat.ts';
import { agentNotes } from '../../domain/texts/agents.ts';
import { newMasterKey, parseMasterKeys } from '../../platform/crypto/keyring.ts';
import { personalDataOf } from '../../platform/crypto/personal-data.ts';
import { createFileStorage } from '../../platform/storage/file-storage.ts';

const PHONE = '351912345678';
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3000), Buffer.from([0xff, 0xd9])]);
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(5000)]);
const ogg = Buffer.concat([Buffer.from('OggS'), randomBytes(2000)]);
const dataUrl = (mimetype: string, bytes: Buffer) => `data:${mimetype};base64,${bytes.toString('base64')}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function setup(t: TestContext) {
  const sim = await startWppConnectSimulator({ secretKey: 'sim-secret-key', ackDelayMs: null });
  t.after(() => sim.close());
  const client = createWppConnectClient({ baseUrl: sim.url, session: sim.session, secretKey: sim.secretKey, timeoutMs: 2_000 });
  return { sim, client };
}

const routesCalled = (sim: WppConnectSimulator) => sim.requests.map((request) => request.route.replace('/api/:session/', ''));

test('downloadMedia of a received image gives back the very bytes the phone sent', async (t) => {
  const { sim, client } = await setup(t);
  const { id } = await sim.receive({ from: PHONE, media: { bytes: jpeg, mimetype: 'image/jpeg' }, caption: 'Carta (frente)' });
  const file = await client.downloadMedia(id);
  assert.equal(file.mimetype, 'image/jpeg');
  assert.ok(file.bytes.equals(jpeg));
});

test('downloadMedia of a text message or of an unknown id is permanent', async (t) => {
  const { sim, client } = await setup(t);
  const { id } = await sim.receive({ from: PHONE, body: 'Olá' });
  await assertPermanent(client.downloadMedia(id), ErrorType.ValidationFailed);
  // "Decrypt file error": not retried by Temporal (the relay tries a few times itself, then tells the agent).
  await assertPermanent(client.downloadMedia(`false_${PHONE}@c.us_3EB0000000000000000000`), ErrorType.DocumentUnreadable);
  await assertPermanent(client.downloadMedia('not-a-message-id'), ErrorType.ValidationFailed);
  assert.deepEqual(routesCalled(sim).slice(1), ['download-media', 'download-media']);
});

test('sendImage goes out as an image with its bytes, filename, caption and quote', async (t) => {
  const { sim, client } = await setup(t);
  const { id: quoted } = await sim.receive({ from: PHONE, body: 'Mande a fatura' });
  const { messageId } = await client.sendImage({
    phone: PHONE,
    dataUrl: dataUrl('image/jpeg', jpeg),
    filename: 'fatura.jpg',
    caption: 'Aqui está',
    quotedMessageId: quoted,
  });
  assert.match(messageId, /^true_351912345678@c\.us_3EB0/);
  assert.deepEqual({ ...sim.sent[0], at: undefined }, {
    id: messageId,
    phone: PHONE,
    body: 'Aqui está',
    at: undefined,
    quotedMsgId: quoted,
    type: 'image',
    filename: 'fatura.jpg',
    caption: 'Aqui está',
    mimetype: 'image/jpeg',
    size: jpeg.length,
    sha256: sha256(jpeg),
  });
  assert.deepEqual(routesCalled(sim).slice(1), ['send-image']);
  assert.ok((await client.downloadMedia(messageId)).bytes.equals(jpeg), 'our own sent media can be downloaded too');
});

test('sendFile sends a PDF as a document, sendVoice an audio as a voice note', async (t) => {
  const { sim, client } = await setup(t);
  await client.sendFile({ phone: PHONE, dataUrl: dataUrl('application/pdf', pdf), filename: 'recibo.pdf' });
  await client.sendVoice({ phone: PHONE, dataUrl: dataUrl('audio/ogg;codecs=opus', ogg) });
  assert.deepEqual(
    sim.sent.map(({ type, filename, caption, mimetype, size, sha256: hash }) => ({ type, filename, caption, mimetype, size, hash })),
    [
      { type: 'document', filename: 'recibo.pdf', caption: undefined, mimetype: 'application/pdf', size: pdf.length, hash: sha256(pdf) },
      { type: 'ptt', filename: undefined, caption: undefined, mimetype: 'audio/ogg; codecs=opus', size: ogg.length, hash: sha256(ogg) },
    ],
  );
  assert.deepEqual(routesCalled(sim).slice(1), ['send-file-base64', 'send-voice-base64']);
  const [document, voice] = await client.chatMessages({ chatId: `${PHONE}@c.us`, count: 10 });
  assert.deepEqual([document?.type, document?.hasMedia, document?.filename, document?.body], ['document', true, 'recibo.pdf', '']);
  assert.deepEqual([voice?.type, voice?.hasMedia, voice?.mimetype], ['ptt', true, 'audio/ogg; codecs=opus']);
});

test('a file that is not a data URL of the right kind is refused before calling the server', async (t) => {
  const { sim, client } = await setup(t);
  const bare = jpeg.toString('base64');
  await assertPermanent(client.sendImage({ phone: PHONE, dataUrl: bare, filename: 'a.jpg' }), ErrorType.ValidationFailed);
  await assertPermanent(client.sendImage({ phone: PHONE, dataUrl: dataUrl('application/pdf', pdf), filename: 'a.pdf' }), ErrorType.ValidationFailed);
  await assertPermanent(client.sendVoice({ phone: PHONE, dataUrl: dataUrl('image/jpeg', jpeg) }), ErrorType.ValidationFailed);
  await assertPermanent(client.sendFile({ phone: PHONE, dataUrl: 'data:application/pdf;base64,', filename: 'a.pdf' }), ErrorType.ValidationFailed);
  assert.equal(sim.requests.length, 0);
});

test('a reply names the quoted message, and quoting one WhatsApp does not have fails like any send error (retryable 500)', async (t) => {
  const { sim, client } = await setup(t);
  const { id: quoted } = await sim.receive({ from: PHONE, body: 'Onde deixo a encomenda?' });
  await client.sendText({ phone: PHONE, message: 'Na portaria.', quotedMessageId: quoted });
  assert.equal(sim.sent[0]?.quotedMsgId, quoted);
  const [, reply] = await client.chatMessages({ chatId: `${PHONE}@c.us`, count: 5 });
  assert.equal(reply?.quotedMsgId, quoted);

  const unknown = `false_${PHONE}@c.us_3EB0FFFFFFFFFFFFFFFFFF`;
  const error = await failureOf(client.sendText({ phone: PHONE, message: 'Olá', quotedMessageId: unknown }));
  assert.ok(!(error instanceof ApplicationFailure), 'the server cannot tell this 500 from a transient one');
  assert.match(error.message, /send-message answered 500: Erro ao enviar a mensagem\./);
  assert.equal(sim.sent.length, 1);
});

test('a contact known only by LID can be written to with its @lid id', async (t) => {
  const { sim, client } = await setup(t);
  // 14 digits: without isLid the server would take it for a phone number.
  const lid = '12345678901234@lid';
  await sim.receive({ from: lid, body: 'Olá', pushname: 'Rui' });
  await client.sendText({ phone: lid, message: 'Bom dia Rui' });
  await client.sendImage({ phone: lid, dataUrl: dataUrl('image/png', jpeg), filename: 'mapa.png' });
  assert.deepEqual(sim.sent.map((sent) => sent.phone), ['12345678901234', '12345678901234']);
  const messages = await client.chatMessages({ chatId: lid, count: 10 });
  assert.deepEqual(messages.map((message) => message.chatId), [lid, lid, lid]);
  assert.equal(messages[0]?.pushname, 'Rui');
});

test('get-media-by-message and message-by-id answer as the server does', async (t) => {
  const { sim } = await setup(t);
  const { id } = await sim.receive({ from: PHONE, media: { bytes: jpeg, mimetype: 'image/jpeg' } });
  const token = ((await (await fetch(`${sim.url}/api/${sim.session}/${sim.secretKey}/generate-token`, { method: 'POST' })).json()) as { token: string }).token;
  const get = async (route: string) => {
    const response = await fetch(`${sim.url}/api/${sim.session}/${route}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const media = await get(`get-media-by-message/${id}`);
  assert.equal(media.status, 200);
  assert.ok(Buffer.from(String(media.body.base64), 'base64').equals(jpeg));
  assert.equal(media.body.mimetype, 'image/jpeg');

  const found = await get(`message-by-id/${id}`);
  assert.equal(found.status, 201);
  const response = found.body.response as { message: string; contact: string; session: string; data: Record<string, unknown> };
  assert.deepEqual([found.body.status, response.message, response.contact, response.session], [
    'Success',
    'Information retrieved successfully.',
    PHONE,
    sim.session,
  ]);
  assert.deepEqual([response.data.id, response.data.chatId], [id, { server: 'c.us', user: PHONE, _serialized: `${PHONE}@c.us` }]);

  const missing = await get(`message-by-id/false_${PHONE}@c.us_3EB0000000000000000000`);
  assert.deepEqual([missing.status, missing.body.status], [400, 'Error']);
});

test('a download WPPConnect cannot decrypt is tried three times, then becomes a note for the agent', async (t) => {
  const { sim, client } = await setup(t);
  const personal = personalDataOf(parseMasterKeys(newMasterKey('k1')), randomBytes(32));
  const unknown = `false_${PHONE}@c.us_3EB0${'0'.repeat(20)}`;
  const message = { whatsappId: unknown, mediaKey: null, type: 'image', mimetype: 'image/jpeg' } as unknown as InboundMessage;
  const outcome = await fetchInboundMedia({ personal, storage: createFileStorage(await mkdtemp(path.join(os.tmpdir(), 'media-'))), wppconnect: client, mediaMaxBytes: 1_000_000 }, `${PHONE}@c.us`, message);
  assert.deepEqual(outcome, { ok: false, note: agentNotes.mediaUndecryptable() });
  assert.equal(routesCalled(sim).filter((route) => route === 'download-media').length, 3);
});
