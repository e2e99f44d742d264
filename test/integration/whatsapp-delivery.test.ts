import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sendToWhatsAppOnce, type Delivery } from '../../activities/delivery/whatsapp-once.ts';
import { ErrorType } from '../../domain/errors.ts';
import { createWppConnectClient, type WppConnectClient } from '../../integrations/wppconnect/client.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import { createDb, type Db } from '../../platform/db.ts';
import { claimDelivery } from '../../platform/stores/deliveries.ts';
import { startWppConnectSimulator, type WppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { makePdf, makePng } from '../fixtures/documents.ts';
import { newDriverPhone } from '../support/bridge-views.ts';
import { assertPermanent } from '../support/failures.ts';
import { withFaults } from '../support/faults.ts';
import { sharedPersonalData, testEnvironment } from '../support/test-system.ts';

/**
 * The one "send to WhatsApp once" every sender uses, against the WPPConnect simulator and the real
 * database. An attempt cut off after WhatsApp took the message is played as what it leaves behind:
 * the claim made, the message in the chat, nothing recorded.
 */
describe('sending to WhatsApp once', () => {
  let db: Db;
  let personal: PersonalData;
  let wpp: WppConnectSimulator;
  let wppconnect: WppConnectClient;
  // WhatsApp's clock, which a test may set back to send a message "earlier".
  let offsetMs = 0;

  before(async () => {
    db = createDb(testEnvironment().databaseUrl);
    personal = await sharedPersonalData(db);
    wpp = await startWppConnectSimulator({ secretKey: `test-only-${randomUUID()}`, now: () => new Date(Date.now() + offsetMs), ackDelayMs: null });
    wppconnect = createWppConnectClient({ baseUrl: wpp.url, session: wpp.session, secretKey: wpp.secretKey });
  });
  after(async () => {
    await wpp.close();
    await db.end();
  });

  const agentReply = (phone: string, text: string): Delivery => ({
    key: `agent:${phone}@c.us:${randomUUID()}:0`,
    origin: 'agent',
    chatId: `${phone}@c.us`,
    content: { kind: 'text', text },
  });
  const sentTo = (phone: string) => wpp.sent.filter((message) => message.phone === phone);

  it('sends a message once, however often it is asked to', async () => {
    const phone = newDriverPhone();
    const delivery = agentReply(phone, 'Bom dia!');
    const first = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    const second = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    assert.deepEqual(second, first.outcome === 'sent' ? { ...first, alreadySent: true } : first);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Bom dia!']);
  });

  it('does not send twice when an attempt was cut off after WhatsApp took the message', async () => {
    const phone = newDriverPhone();
    const delivery = agentReply(phone, 'Ok');
    await claimDelivery(db, personal, delivery);
    const taken = await wppconnect.sendText({ phone, message: 'Ok' });

    const retried = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    assert.deepEqual(retried, { outcome: 'sent', whatsappMessageId: taken.messageId, alreadySent: true, chatwoot: null });
    assert.equal(sentTo(phone).length, 1);
  });

  it('sends a retried "Ok" when the "Ok" already in the chat is older than its first attempt', async () => {
    const phone = newDriverPhone();
    offsetMs = -10 * 60_000;
    try {
      await wppconnect.sendText({ phone, message: 'Ok' });
    } finally {
      offsetMs = 0;
    }
    const delivery = agentReply(phone, 'Ok');
    await claimDelivery(db, personal, delivery);

    const retried = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, false);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Ok', 'Ok']);
  });

  it('does not take another delivery\'s identical message for its own', async () => {
    const phone = newDriverPhone();
    await sendToWhatsAppOnce({ db, personal, wppconnect }, agentReply(phone, 'Ok'));
    const second = agentReply(phone, 'Ok');
    await claimDelivery(db, personal, second);

    const retried = await sendToWhatsAppOnce({ db, personal, wppconnect }, second);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, false);
    assert.equal(sentTo(phone).length, 2);
  });

  it('recognises a file it already sent by its caption', async () => {
    const phone = newDriverPhone();
    const picture = await makePng({ width: 40, height: 30 });
    let loads = 0;
    const delivery: Delivery = {
      key: `bot:${randomUUID()}:0`,
      origin: 'bot',
      chatId: `${phone}@c.us`,
      content: { kind: 'media', caption: 'O nosso logótipo', filename: 'logo.png', load: async () => ((loads += 1), { bytes: picture, contentType: 'image/png' }) },
    };
    await claimDelivery(db, personal, delivery);
    await wppconnect.sendImage({ phone, dataUrl: `data:image/png;base64,${picture.toString('base64')}`, filename: 'logo.png', caption: 'O nosso logótipo' });

    const retried = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, true);
    assert.equal(loads, 1, 'loaded once, to compare it with the one in the chat, and not sent');
    assert.equal(sentTo(phone).length, 1);
  });

  it('sends a file without a caption again rather than take another file in the chat for it', async () => {
    const phone = newDriverPhone();
    const picture = await makePng({ width: 40, height: 30 });
    const delivery: Delivery = {
      key: `agent:${phone}@c.us:${randomUUID()}:1`,
      origin: 'agent',
      chatId: `${phone}@c.us`,
      content: { kind: 'media', caption: null, filename: 'guia.png', load: async () => ({ bytes: picture, contentType: 'image/png' }) },
    };
    await claimDelivery(db, personal, delivery);
    // Someone on the company phone sends a picture without a caption meanwhile.
    await wppconnect.sendImage({ phone, dataUrl: `data:image/png;base64,${picture.toString('base64')}`, filename: 'outra.png' });

    const retried = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, false);
    assert.equal(sentTo(phone).length, 2);
  });

  /** A send WhatsApp carries out whose answer never reaches the bridge (the client gives up first), then the retry. */
  async function answerLostThenRetried(delivery: Delivery): Promise<Awaited<ReturnType<typeof sendToWhatsAppOnce>>> {
    const impatient = createWppConnectClient({ baseUrl: wpp.url, session: wpp.session, secretKey: wpp.secretKey, timeoutMs: 1_000 });
    await impatient.connectionStatus(); // its token first, so only the send meets the slow answer
    await withFaults(wpp.faults, { delayMs: 3_000 }, async () => {
      await assert.rejects(sendToWhatsAppOnce({ db, personal, wppconnect: impatient }, delivery), /timed out|abort/i);
    });
    return sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
  }

  it('does not send a picture without a caption twice when the answer to its send was lost', async () => {
    const phone = newDriverPhone();
    const picture = await makePng({ width: 40, height: 30 });
    const delivery: Delivery = {
      key: `agent:${phone}@c.us:${randomUUID()}:0`,
      origin: 'agent',
      chatId: `${phone}@c.us`,
      content: { kind: 'media', caption: null, filename: 'guia.png', showAs: 'image', load: async () => ({ bytes: picture, contentType: 'image/png' }) },
    };
    const retried = await answerLostThenRetried(delivery);
    assert.equal(sentTo(phone).length, 1, 'sent once');
    assert.deepEqual(retried, { outcome: 'sent', whatsappMessageId: sentTo(phone)[0]!.id, alreadySent: true, chatwoot: null });
  });

  it('does not send a document or a voice note twice when the answer to its send was lost', async () => {
    const phone = newDriverPhone();
    const pdf = await makePdf({ pages: 1 });
    const voice = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(600, 7)]);
    const document: Delivery = {
      key: `agent:${phone}@c.us:${randomUUID()}:0`,
      origin: 'agent',
      chatId: `${phone}@c.us`,
      content: { kind: 'media', caption: null, filename: 'fatura.pdf', load: async () => ({ bytes: pdf, contentType: 'application/pdf' }) },
    };
    const note: Delivery = {
      key: `agent:${phone}@c.us:${randomUUID()}:0`,
      origin: 'agent',
      chatId: `${phone}@c.us`,
      content: { kind: 'media', caption: null, filename: 'nota.ogg', showAs: 'audio', load: async () => ({ bytes: voice, contentType: 'audio/ogg' }) },
    };
    assert.equal((await answerLostThenRetried(document)).outcome, 'sent');
    assert.equal((await answerLostThenRetried(note)).outcome, 'sent');
    assert.deepEqual(sentTo(phone).map((message) => message.type), ['document', 'ptt']);
  });

  it('sends a file again when the one in the chat since its first attempt is another file of the same kind', async () => {
    const phone = newDriverPhone();
    const ours = await makePdf({ pages: 1 });
    const theirs = await makePdf({ pages: 2 });
    const delivery: Delivery = {
      key: `agent:${phone}@c.us:${randomUUID()}:0`,
      origin: 'agent',
      chatId: `${phone}@c.us`,
      content: { kind: 'media', caption: null, filename: 'fatura.pdf', load: async () => ({ bytes: ours, contentType: 'application/pdf' }) },
    };
    await claimDelivery(db, personal, delivery);
    // Someone on the company phone sends another PDF of the same name meanwhile.
    await wppconnect.sendFile({ phone, dataUrl: `data:application/pdf;base64,${theirs.toString('base64')}`, filename: 'fatura.pdf' });

    const retried = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, false);
    assert.deepEqual(sentTo(phone).map((message) => message.size), [theirs.length, ours.length]);
  });

  it('sends a file as its fallback text when it cannot be loaded within the limit', async () => {
    const phone = newDriverPhone();
    await sendToWhatsAppOnce({ db, personal, wppconnect }, {
      key: `bot:${randomUUID()}:0`,
      origin: 'bot',
      chatId: `${phone}@c.us`,
      content: { kind: 'media', caption: null, filename: 'mapa.jpg', load: async () => null, instead: 'https://example.pt/mapa.jpg' },
    });
    assert.deepEqual(sentTo(phone).map((message) => [message.type, message.body]), [[undefined, 'https://example.pt/mapa.jpg']]);
  });

  it('records a refusal for good, and does not try again', async () => {
    const phone = newDriverPhone();
    wpp.setUnknownNumbers([phone]);
    const delivery = agentReply(phone, 'Olá');
    await assertPermanent(sendToWhatsAppOnce({ db, personal, wppconnect }, delivery), ErrorType.WhatsAppRecipientUnknown);
    const row = await db.query<{ status: string }>('SELECT status FROM whatsapp_deliveries WHERE delivery_key = $1', [personal.index('delivery', delivery.key)]);
    assert.equal(row.rows[0]?.status, 'failed');

    wpp.setUnknownNumbers([]);
    const again = await sendToWhatsAppOnce({ db, personal, wppconnect }, delivery);
    assert.equal(again.outcome, 'failed');
    assert.match(again.outcome === 'failed' ? again.error : '', /não existe/);
    assert.equal(sentTo(phone).length, 0);
  });
});
