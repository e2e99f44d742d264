import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

const outageMs = 4000;

describe('WhatsApp ↔ Chatwoot bridge through outages', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({}, { bridge: true });
  });
  after(async () => sut.stop());

  const chatwoot = () => sut.chatwoot!;
  const incomingTexts = (phone: string) => chatwootView(sut).incomingTexts(phone);

  it('delivers everything a driver wrote while Chatwoot was down, in order and once, when it comes back', async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'antes da falha' });
    await eventually(async () => (incomingTexts(phone).length === 1 ? true : undefined), 15_000);

    chatwoot().faults.down = true;
    const during = Array.from({ length: 8 }, (_, index) => `durante a falha ${index + 1}`);
    for (const text of during) await sut.wpp.receive({ from: phone, body: text });
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    assert.deepEqual(incomingTexts(phone), ['antes da falha'], 'nothing got through while down');
    chatwoot().faults.down = false;

    await eventually(async () => (incomingTexts(phone).length === 9 ? true : undefined), 45_000, 'the backlog after the outage');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(incomingTexts(phone), ['antes da falha', ...during]);
  });

  it("sends agents' replies written while WPPConnect was down, in order and once, when it comes back", async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    await eventually(async () => (incomingTexts(phone).length === 1 ? true : undefined), 15_000);
    const contact = chatwoot().contacts().find((candidate) => candidate.phoneNumber === `+${phone}`)!;
    const conversationId = chatwoot().conversations().find((candidate) => candidate.contactId === contact.id)!.id;

    sut.wpp.faults.down = true;
    const replies = ['primeira resposta', 'segunda resposta', 'terceira resposta'];
    for (const content of replies) await chatwoot().agentReply(conversationId, { content });
    await chatwoot().webhooksIdle();
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 0, 'nothing sent while down');
    sut.wpp.faults.down = false;

    const sentBodies = () => sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body);
    await eventually(async () => (sentBodies().length === 3 ? true : undefined), 45_000, 'the replies after the outage');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(sentBodies(), replies);
  });

  it('relays once through a Chatwoot that answers each call slower than a workflow task may take', async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'antes' });
    await eventually(async () => (incomingTexts(phone).length === 1 ? true : undefined), 15_000);
    // Chatwoot stores the message at once and answers 11 s later; Temporal's workflow task timeout
    // is 10 s and the relay runs inside one.
    chatwoot().faults.delayMs = 11_000;
    try {
      await sut.wpp.receive({ from: phone, body: 'com o Chatwoot lento' });
      await eventually(async () => (incomingTexts(phone).length === 2 ? true : undefined), 15_000, 'the message in Chatwoot');
    } finally {
      chatwoot().faults.delayMs = 0;
    }
    // Relayed only once the slow relay has finished (order): by then any second copy would be there.
    await sut.wpp.receive({ from: phone, body: 'depois' });
    await eventually(async () => (incomingTexts(phone).includes('depois') ? true : undefined), 45_000, 'the next message');
    assert.deepEqual(incomingTexts(phone), ['antes', 'com o Chatwoot lento', 'depois']);
  });

  it('answers a webhook while Chatwoot is unreachable: the hand-off does not depend on it', async () => {
    chatwoot().faults.down = true;
    try {
      const started = Date.now();
      const { id } = await sut.wpp.receive({ from: newDriverPhone(), body: 'durante a falha' });
      const delivery = sut.wpp.webhookDeliveries.find((candidate) => candidate.event === 'onmessage' && candidate.messageId === id)!;
      assert.equal(delivery.status, 200);
      assert.ok(Date.now() - started < 2000);
    } finally {
      chatwoot().faults.down = false;
    }
  });
});

describe('WhatsApp ↔ Chatwoot bridge with a WPPConnect token the server no longer accepts', () => {
  let sut: TestSystem;
  before(async () => {
    // As after WPPConnect lost its tokens: the configured one answers 401; the secret key still works.
    sut = await startTestSystem({ WPPCONNECT_TOKEN: 'token-from-an-earlier-deployment' }, { bridge: true });
  });
  after(async () => sut.stop());

  it('renews the token with the secret key and sends the reply once', async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    const view = chatwootView(sut);
    await eventually(async () => (view.incomingTexts(phone).length === 1 ? true : undefined), 15_000);
    await sut.chatwoot!.agentReply(view.conversationIdOf(phone), { content: 'Olá Rui, diga.' });

    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000, 'the reply on WhatsApp');
    // Whichever call met the stale token first (the poller or the send), it was renewed once for all.
    const renewals = sut.wpp.requests.filter((request) => request.route.endsWith('/generate-token'));
    assert.deepEqual(renewals.map((request) => request.status), [201]);
    const firstRenewal = sut.wpp.requests.indexOf(renewals[0]!);
    assert.ok(sut.wpp.requests.slice(0, firstRenewal).some((request) => request.status === 401), 'the configured token was tried first');
    assert.ok(sut.wpp.requests.slice(firstRenewal + 1).every((request) => request.status !== 401), 'the renewed token was accepted');
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body), ['Olá Rui, diga.']);
  });
});
