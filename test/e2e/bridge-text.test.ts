import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signChatwootWebhook } from '../../integrations/chatwoot/signature.ts';
import { parseWppConnectWebhook } from '../../integrations/wppconnect/webhook.ts';
import { chatAtRest, chatWorkflowExists, chatwootView, newDriverPhone, waitForIncoming, webhooksAnswered } from '../support/bridge-views.ts';
import { withFaults } from '../support/faults.ts';
import { describeChat, eventually, useTestSystem } from '../support/test-system.ts';

describe('WhatsApp ↔ Chatwoot bridge: text both ways', () => {
  // WhatsApp's clock, moved back by a test that stamps a backlog a second apart.
  let clockOffsetMs = 0;
  const system = useTestSystem({}, { bridge: true, whatsappClock: () => new Date(Date.now() + clockOffsetMs) });

  const chatwoot = () => system().chatwoot!;
  const conversationOf = (phone: string) => chatwootView(system()).conversationsOf(phone)[0];
  const incomingTexts = (phone: string) => chatwootView(system()).incomingTexts(phone);

  async function driverSays(phone: string, text: string): Promise<number> {
    await system().wpp.receive({ from: phone, body: text, pushname: 'Rui' });
    return (await waitForIncoming(system(), phone, text)).conversationId;
  }

  it('posts a driver message into Chatwoot as incoming, on a contact found by exact phone', async () => {
    const sut = system();
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
    const sut = system();
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
    const sut = system();
    const phone = newDriverPhone();
    const conversationId = await driverSays(phone, 'Mensagem do motorista');
    await chatwoot().agentReply(conversationId, { content: 'Nota interna: cliente difícil', private: true });
    await chatwoot().agentReply(conversationId, { content: 'Resposta visível' });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000);
    await chatwoot().webhooksIdle();
    await chatAtRest(sut, phone);
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body), ['Resposta visível']);
  });

  it('treats a redelivered WPPConnect webhook and a doubled Chatwoot webhook as one message each', async () => {
    const sut = system();
    const phone = newDriverPhone();
    await withFaults(sut.wpp.faults, { duplicateWebhooks: true }, () => withFaults(chatwoot().faults, { duplicateWebhooks: true }, async () => {
      const conversationId = await driverSays(phone, 'Enviado uma vez');
      await chatwoot().agentReply(conversationId, { content: 'Recebido uma vez' });
      await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000).catch(async (error: unknown) => {
        console.log('Chat diagnostics:', await describeChat(sut, `${phone}@c.us`));
        throw error;
      });
      // Every copy was delivered, so it is in the chat's history: at rest, the chat has handled them all.
      await webhooksAnswered(sut);
      await chatAtRest(sut, phone);
      assert.deepEqual(incomingTexts(phone), ['Enviado uma vez']);
      assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 1);
    }));
  });

  it('keeps a burst of messages in one chat in order, their webhooks overlapping', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const texts = Array.from({ length: 25 }, (_, index) => `mensagem ${index + 1}`);
    // A backlog WPPConnect flushes at once (the phone back online): typed a second apart a minute
    // ago, posted together. WhatsApp stamps whole seconds, so messages within one second would have
    // no order the bridge could know.
    const ids: string[] = [];
    clockOffsetMs = -60_000;
    try {
      for (const text of texts) {
        clockOffsetMs += 1000;
        ids.push((await sut.wpp.receive({ from: phone, body: text })).id);
      }
    } finally {
      clockOffsetMs = 0;
    }
    await eventually(async () => (incomingTexts(phone).length === texts.length ? true : undefined), 20_000, 'all 25 messages');
    const answers = ids.map((id) => sut.wpp.webhookDeliveries.find((delivery) => delivery.messageId === id)?.status ?? 'none');
    assert.deepEqual(incomingTexts(phone), texts, `webhook answers in sending order: ${answers.join(' ')}`);
  });

  it('refuses a Chatwoot webhook with a bad signature, and a WPPConnect webhook with a wrong token', async () => {
    const sut = system();
    // Each forged webhook is about a chat of its own that nothing else touches. The bridge hands an
    // event over before it answers, so once refused, no chat workflow may exist for either.
    const agentSide = newDriverPhone();
    const driverSide = newDriverPhone();
    const conversation = { id: 1, contact_inbox: { source_id: `${agentSide}@c.us` } };
    const body = JSON.stringify({ event: 'message_created', id: 999_001, content: 'forjada', message_type: 'outgoing', private: false, inbox: { id: chatwoot().inboxId }, conversation });
    const forged = signChatwootWebhook('not-the-secret', body, Math.floor(Date.now() / 1000));
    const chatwootAnswer = await sut.call('POST', '/webhooks/chatwoot', body, forged);
    assert.equal(chatwootAnswer.status, 401);
    const onmessage = {
      event: 'onmessage', session: 'test', id: `false_${driverSide}@c.us_3EB0FORJADA`, from: `${driverSide}@c.us`, to: '351910000000@c.us',
      body: 'forjada', type: 'chat', fromMe: false, isGroupMsg: false, t: Math.floor(Date.now() / 1000),
    };
    assert.equal(parseWppConnectWebhook(onmessage).kind, 'message', 'a message the bridge would relay, but for the token');
    const wppAnswer = await sut.call('POST', '/webhooks/wppconnect/wrong-token', onmessage);
    assert.equal(wppAnswer.status, 401);
    assert.equal(await chatWorkflowExists(sut, agentSide), false, 'no chat workflow for the forged agent reply');
    assert.equal(await chatWorkflowExists(sut, driverSide), false, 'no chat workflow for the forged driver message');
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === agentSide), [], 'nothing sent');
  });
});
