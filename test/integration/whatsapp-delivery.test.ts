import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sendToWhatsAppOnce, type Delivery } from '../../activities/delivery/whatsapp-once.ts';
import { ErrorType } from '../../domain/errors.ts';
import { createWppConnectClient, type WppConnectClient } from '../../integrations/wppconnect/client.ts';
import { createDb, type Db } from '../../platform/db.ts';
import { claimDelivery } from '../../platform/stores/deliveries.ts';
import { startWppConnectSimulator, type WppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { makePng } from '../fixtures/documents.ts';
import { newDriverPhone } from '../support/bridge-views.ts';
import { assertPermanent } from '../support/failures.ts';
import { testEnvironment } from '../support/test-system.ts';

/**
 * The one "send to WhatsApp once" every sender uses, against the WPPConnect simulator and the real
 * database. An attempt cut off after WhatsApp took the message is played as what it leaves behind:
 * the claim made, the message in the chat, nothing recorded.
 */
describe('sending to WhatsApp once', () => {
  let db: Db;
  let wpp: WppConnectSimulator;
  let wppconnect: WppConnectClient;
  // WhatsApp's clock, which a test may set back to send a message "earlier".
  let offsetMs = 0;

  before(async () => {
    db = createDb(testEnvironment().databaseUrl);
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
    const first = await sendToWhatsAppOnce({ db, wppconnect }, delivery);
    const second = await sendToWhatsAppOnce({ db, wppconnect }, delivery);
    assert.deepEqual(second, first.outcome === 'sent' ? { ...first, alreadySent: true } : first);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Bom dia!']);
  });

  it('does not send twice when an attempt was cut off after WhatsApp took the message', async () => {
    const phone = newDriverPhone();
    const delivery = agentReply(phone, 'Ok');
    await claimDelivery(db, delivery);
    const taken = await wppconnect.sendText({ phone, message: 'Ok' });

    const retried = await sendToWhatsAppOnce({ db, wppconnect }, delivery);
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
    await claimDelivery(db, delivery);

    const retried = await sendToWhatsAppOnce({ db, wppconnect }, delivery);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, false);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Ok', 'Ok']);
  });

  it('does not take another delivery\'s identical message for its own', async () => {
    const phone = newDriverPhone();
    await sendToWhatsAppOnce({ db, wppconnect }, agentReply(phone, 'Ok'));
    const second = agentReply(phone, 'Ok');
    await claimDelivery(db, second);

    const retried = await sendToWhatsAppOnce({ db, wppconnect }, second);
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
    await claimDelivery(db, delivery);
    await wppconnect.sendImage({ phone, dataUrl: `data:image/png;base64,${picture.toString('base64')}`, filename: 'logo.png', caption: 'O nosso logótipo' });

    const retried = await sendToWhatsAppOnce({ db, wppconnect }, delivery);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, true);
    assert.equal(loads, 0, 'the file was not even loaded again');
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
    await claimDelivery(db, delivery);
    // Someone on the company phone sends a picture without a caption meanwhile.
    await wppconnect.sendImage({ phone, dataUrl: `data:image/png;base64,${picture.toString('base64')}`, filename: 'outra.png' });

    const retried = await sendToWhatsAppOnce({ db, wppconnect }, delivery);
    assert.equal(retried.outcome === 'sent' && retried.alreadySent, false);
    assert.equal(sentTo(phone).length, 2);
  });

  it('sends a file as its fallback text when it cannot be loaded within the limit', async () => {
    const phone = newDriverPhone();
    await sendToWhatsAppOnce({ db, wppconnect }, {
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
    await assertPermanent(sendToWhatsAppOnce({ db, wppconnect }, delivery), ErrorType.WhatsAppRecipientUnknown);
    const row = await db.query<{ status: string }>('SELECT status FROM whatsapp_deliveries WHERE delivery_key = $1', [delivery.key]);
    assert.equal(row.rows[0]?.status, 'failed');

    wpp.setUnknownNumbers([]);
    const again = await sendToWhatsAppOnce({ db, wppconnect }, delivery);
    assert.equal(again.outcome, 'failed');
    assert.match(again.outcome === 'failed' ? again.error : '', /não existe/);
    assert.equal(sentTo(phone).length, 0);
  });
});
