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
