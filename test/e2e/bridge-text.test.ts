import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signChatwootWebhook } from '../../integrations/chatwoot/signature.ts';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { describeChat, eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

describe('WhatsApp ↔ Chatwoot bridge: text both ways', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({}, { bridge: true });
  });
  after(async () => sut.stop());

  const chatwoot = () => sut.chatwoot!;
  const conversationOf = (phone: string) => chatwootView(sut).conversationsOf(phone)[0];
  const incomingTexts = (phone: string) => chatwootView(sut).incomingTexts(phone);

  async function driverSays(phone: string, text: string): Promise<number> {
    await sut.wpp.receive({ from: phone, body: text, pushname: 'Rui' });
    await eventually(async () => (incomingTexts(phone).includes(text) ? true : undefined), 15_000, `"${text}" in Chatwoot`);
    return conversationOf(phone)!.id;
  }

  it('posts a driver message into Chatwoot as incoming, on a contact found by exact phone', async () => {
    const phone = newDriverPhone();
    const text = 'O cliente não está em casa, o que faço?';
    const { id } = await sut.wpp.receive({ from: phone, body: text, pushname: 'Rui' });
    await eventually(async () => (incomingTexts(phone).length > 0 ? true : undefined), 15_000, 'the message in Chatwoot');

    const contact = chatwoot().contacts().find((candidate) => candidate.phoneNumber === `+${phone}`)!;
    assert.equal(contact.name, 'Rui');
    assert.ok(contact.sourceIds.includes(`${phone}@c.us`));
    const [message] = chatwoot().messages(conversationOf(phone)!.id).filter((posted) => posted.messageType === 'incoming');
    assert.equal(message!.content, text);
    assert.equal(message!.sourceId, `wa:${id}`);
  });

  it('sends an agent reply to the driver on WhatsApp and reflects its delivery in Chatwoot', async () => {
    const phone = newDriverPhone();
    const conversationId = await driverSays(phone, 'Bom dia');
    const { messageId } = await chatwoot().agentReply(conversationId, { content: 'Bom dia! Vamos reagendar a entrega.' });
    const sent = await eventually(async () => sut.wpp.sent.find((message) => message.phone === phone), 15_000, 'the reply on WhatsApp');
    assert.equal(sent.body, 'Bom dia! Vamos reagendar a entrega.');
    await eventually(async () => {
      const status = chatwoot().messages(conversationId).find((message) => message.id === messageId)?.status;
      return status === 'delivered' ? status : undefined;
    }, 15_000, 'the delivered status in Chatwoot');
  });

  it('never sends private notes or its own posts back to WhatsApp', async () => {
    const phone = newDriverPhone();
    const conversationId = await driverSays(phone, 'Mensagem do motorista');
    await chatwoot().agentReply(conversationId, { content: 'Nota interna: cliente difícil', private: true });
    await chatwoot().agentReply(conversationId, { content: 'Resposta visível' });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000);
    await chatwoot().webhooksIdle();
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body), ['Resposta visível']);
  });

  it('treats a redelivered WPPConnect webhook and a doubled Chatwoot webhook as one message each', async () => {
    const phone = newDriverPhone();
    sut.wpp.faults.duplicateWebhooks = true;
    chatwoot().faults.duplicateWebhooks = true;
    try {
      const conversationId = await driverSays(phone, 'Enviado uma vez');
      await chatwoot().agentReply(conversationId, { content: 'Recebido uma vez' });
      await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000).catch(async (error: unknown) => {
        console.log('Chat diagnostics:', await describeChat(sut, `${phone}@c.us`));
        throw error;
      });
      await Promise.all([sut.wpp.settled(), chatwoot().webhooksIdle()]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(incomingTexts(phone), ['Enviado uma vez']);
      assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 1);
    } finally {
      sut.wpp.faults.duplicateWebhooks = false;
      chatwoot().faults.duplicateWebhooks = false;
    }
  });

  it('keeps a burst of messages in one chat in order', async () => {
    const phone = newDriverPhone();
    const texts = Array.from({ length: 25 }, (_, index) => `mensagem ${index + 1}`);
    for (const text of texts) await sut.wpp.receive({ from: phone, body: text });
    await eventually(async () => (incomingTexts(phone).length === texts.length ? true : undefined), 20_000, 'all 25 messages');
    assert.deepEqual(incomingTexts(phone), texts);
  });

  it('refuses a Chatwoot webhook with a bad signature, and a WPPConnect webhook with a wrong token', async () => {
    const before = await sut.workflowCount(sut.config.BRIDGE_TASK_QUEUE);
    const sentBefore = sut.wpp.sent.length;
    const conversation = { id: 1, contact_inbox: { source_id: '351912345678@c.us' } };
    const body = JSON.stringify({ event: 'message_created', id: 999_001, content: 'forjada', message_type: 'outgoing', private: false, inbox: { id: chatwoot().inboxId }, conversation });
    const forged = signChatwootWebhook('not-the-secret', body, Math.floor(Date.now() / 1000));
    const chatwootAnswer = await sut.call('POST', '/webhooks/chatwoot', body, forged);
    assert.equal(chatwootAnswer.status, 401);
    const wppAnswer = await sut.call('POST', '/webhooks/wppconnect/wrong-token', { event: 'onmessage', session: 'test' });
    assert.equal(wppAnswer.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await sut.workflowCount(sut.config.BRIDGE_TASK_QUEUE), before, 'no chat workflow started');
    assert.equal(sut.wpp.sent.length, sentBefore, 'nothing sent');
  });
});
