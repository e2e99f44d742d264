import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatAtRest, chatwootView, newDriverPhone, relayWaitingOutOutage, waitForIncoming } from '../support/bridge-views.ts';
import { withFaults } from '../support/faults.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

describe('WhatsApp ↔ Chatwoot bridge through outages', () => {
  // WhatsApp's clock, moved ahead by a test that stamps messages a second apart.
  let clockOffsetMs = 0;
  const system = useTestSystem({}, { bridge: true, whatsappClock: () => new Date(Date.now() + clockOffsetMs) });

  const chatwoot = () => system().chatwoot!;
  const incomingTexts = (phone: string) => chatwootView(system()).incomingTexts(phone);

  it('delivers everything a driver wrote while Chatwoot was down, in order and once, when it comes back', async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'antes da falha' });
    await waitForIncoming(sut, phone, 'antes da falha');

    const during = Array.from({ length: 8 }, (_, index) => `durante a falha ${index + 1}`);
    await withFaults(chatwoot().faults, { down: true }, async () => {
      // Typed one after another, a second apart: each webhook is answered before the next message.
      for (const text of during) {
        clockOffsetMs += 1000;
        await (await sut.wpp.receive({ from: phone, body: text })).delivered;
      }
      // The bridge tried, failed, and now waits the outage out.
      await relayWaitingOutOutage(sut, phone);
      assert.deepEqual(incomingTexts(phone), ['antes da falha'], 'nothing got through while down');
    });

    await eventually(async () => (incomingTexts(phone).length === 9 ? true : undefined), 45_000, 'the backlog after the outage');
    await chatAtRest(sut, phone);
    assert.deepEqual(incomingTexts(phone), ['antes da falha', ...during]);
  });

  it("sends agents' replies written while WPPConnect was down, in order and once, when it comes back", async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    const { conversationId } = await waitForIncoming(sut, phone, 'Olá');

    const replies = ['primeira resposta', 'segunda resposta', 'terceira resposta'];
    await withFaults(sut.wpp.faults, { down: true }, async () => {
      // Written within milliseconds: their webhooks may cross, and the bridge still sends them by Chatwoot id.
      for (const content of replies) await chatwoot().agentReply(conversationId, { content });
      await chatwoot().webhooksIdle();
      // The bridge tried, failed, and now waits the outage out.
      await relayWaitingOutOutage(sut, phone);
      assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 0, 'nothing sent while down');
    });

    const sentBodies = () => sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body);
    await eventually(async () => (sentBodies().length === 3 ? true : undefined), 45_000, 'the replies after the outage');
    await chatAtRest(sut, phone);
    assert.deepEqual(sentBodies(), replies);
  });

  it('relays once through a Chatwoot that answers each call slower than a workflow task may take', async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'antes' });
    await waitForIncoming(sut, phone, 'antes');
    // Chatwoot stores the message at once and answers 11 s later; Temporal's workflow task timeout
    // is 10 s and the relay runs inside one.
    await withFaults(chatwoot().faults, { delayMs: 11_000 }, async () => {
      await sut.wpp.receive({ from: phone, body: 'com o Chatwoot lento' });
      await waitForIncoming(sut, phone, 'com o Chatwoot lento');
    });
    // Relayed only once the slow relay has finished (order): by then any second copy would be there.
    await sut.wpp.receive({ from: phone, body: 'depois' });
    await waitForIncoming(sut, phone, 'depois', 45_000);
    await chatAtRest(sut, phone);
    assert.deepEqual(incomingTexts(phone), ['antes', 'com o Chatwoot lento', 'depois']);
  });

  it('answers a webhook while Chatwoot is unreachable: the hand-off does not depend on it', async () => {
    const sut = system();
    await withFaults(chatwoot().faults, { down: true }, async () => {
      const { id, delivered } = await sut.wpp.receive({ from: newDriverPhone(), body: 'durante a falha' });
      await delivered;
      const delivery = sut.wpp.webhookDeliveries.find((candidate) => candidate.event === 'onmessage' && candidate.messageId === id)!;
      assert.equal(delivery.status, 200);
    });
  });
});

describe('WhatsApp ↔ Chatwoot bridge with a WPPConnect token the server no longer accepts', () => {
  // As after WPPConnect lost its tokens: the configured one answers 401; the secret key still works.
  const system = useTestSystem({ WPPCONNECT_TOKEN: 'token-from-an-earlier-deployment' }, { bridge: true });

  it('renews the token with the secret key and sends the reply once', async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    const { conversationId } = await waitForIncoming(sut, phone, 'Olá');
    await sut.chatwoot!.agentReply(conversationId, { content: 'Olá Rui, diga.' });

    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000, 'the reply on WhatsApp');
    await chatAtRest(sut, phone);
    // Whichever call met the stale token first (the poller or the send), it was renewed once for all.
    const renewals = sut.wpp.requests.filter((request) => request.route.endsWith('/generate-token'));
    assert.deepEqual(renewals.map((request) => request.status), [201]);
    const firstRenewal = sut.wpp.requests.indexOf(renewals[0]!);
    assert.ok(sut.wpp.requests.slice(0, firstRenewal).some((request) => request.status === 401), 'the configured token was tried first');
    assert.ok(sut.wpp.requests.slice(firstRenewal + 1).every((request) => request.status !== 401), 'the renewed token was accepted');
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body), ['Olá Rui, diga.']);
  });
});
