import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { chatWorkflowId } from '../../domain/chat.ts';
import { makeJpeg } from '../fixtures/documents.ts';
import { chatAtRest, chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

const newGroupId = () => `1203630${randomInt(10_000_000, 99_999_999)}${randomInt(1000, 9999)}@g.us`;

/** The WPPConnect webhook of one message, once answered. */
const webhookOf = (sut: TestSystem, messageId: string) =>
  eventually(async () => sut.wpp.webhookDeliveries.find((delivery) => delivery.event === 'onmessage' && delivery.messageId === messageId), 10_000, 'the webhook answered');

/** Whether a chat's workflow was ever started. */
async function chatWorkflowExists(sut: TestSystem, chatId: string): Promise<boolean> {
  try {
    await sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatId)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** Chatwoot messages, in any conversation, with this exact text. */
const postedWithText = (sut: TestSystem, text: string) =>
  sut.chatwoot!.conversations().flatMap((conversation) => sut.chatwoot!.messages(conversation.id)).filter((message) => message.content === text);

/** A driver writes, the message reaches Chatwoot; returns the conversation. */
async function conversationWith(sut: TestSystem, phone: string): Promise<number> {
  await sut.wpp.receive({ from: phone, body: 'Olá, tenho uma dúvida' });
  await eventually(async () => (chatwootView(sut).incoming(phone).length === 1 ? true : undefined), 15_000, 'the message in Chatwoot');
  return chatwootView(sut).conversationIdOf(phone);
}

describe('WhatsApp ↔ Chatwoot bridge with the default settings: groups ignored, webhooks signed', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true });
  });
  after(async () => sut.stop());

  it('ignores a group message: the webhook is answered, and no chat, contact or Chatwoot message follows', async () => {
    const group = newGroupId();
    const member = newDriverPhone();
    const text = `no grupo ${randomInt(1_000_000)}`;
    const { id } = await sut.wpp.receive({ from: group, isGroup: true, author: member, body: text });
    assert.equal((await webhookOf(sut, id)).status, 200);
    // The API hands a message to its chat's workflow before it answers: none was started.
    assert.equal(await chatWorkflowExists(sut, group), false, 'no chat workflow for the group');
    assert.deepEqual(postedWithText(sut, text), []);
    assert.deepEqual(chatwootView(sut).contactsOf(member), []);
  });

  it('refuses an unsigned Chatwoot webhook with 401 and sends nothing to WhatsApp', async () => {
    const phone = newDriverPhone();
    const conversationId = await conversationWith(sut, phone);
    sut.chatwoot!.signWebhooks = false;
    try {
      const { messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Resposta sem assinatura' });
      await sut.chatwoot!.webhooksIdle();
      const delivery = sut.chatwoot!.webhookDeliveries.find((candidate) => candidate.event === 'message_created' && candidate.payloadId === messageId);
      assert.equal(delivery?.status, 401);
      assert.equal(delivery.deliveryId, null, 'sent unsigned, as Chatwoot before 4.13');
    } finally {
      sut.chatwoot!.signWebhooks = true;
    }
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone), []);
    // The signed reply that follows goes through, alone.
    await sut.chatwoot!.agentReply(conversationId, { content: 'Resposta assinada' });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000, 'the signed reply on WhatsApp');
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body), ['Resposta assinada']);
  });
});

describe('WhatsApp ↔ Chatwoot bridge with BRIDGE_INCLUDE_GROUPS=true', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', BRIDGE_INCLUDE_GROUPS: 'true' }, { bridge: true });
  });
  after(async () => sut.stop());

  it("relays a group's messages into one conversation under the group, each with its sender's name and number", async () => {
    const group = newGroupId();
    const [rui, ana] = [newDriverPhone(), newDriverPhone()];
    const [first, second] = [`no grupo ${randomInt(1_000_000)}`, `também no grupo ${randomInt(1_000_000)}`];
    const { id } = await sut.wpp.receive({ from: group, isGroup: true, author: rui, pushname: 'Rui', body: first });
    assert.equal((await webhookOf(sut, id)).status, 200);
    await sut.wpp.receive({ from: group, isGroup: true, author: ana, pushname: 'Ana', body: second });
    const posted = await eventually(async () => {
      const both = [...postedWithText(sut, `Rui (+${rui}): ${first}`), ...postedWithText(sut, `Ana (+${ana}): ${second}`)];
      return both.length === 2 ? both : undefined;
    }, 15_000, "both group messages in Chatwoot, each with its sender");
    assert.deepEqual(posted.map((message) => message.messageType), ['incoming', 'incoming']);
    const [contact, ...others] = sut.chatwoot!.contacts().filter((candidate) => candidate.identifier === group);
    assert.deepEqual(others, [], 'one contact for the group');
    assert.equal(contact!.phoneNumber, null, 'a group has no phone');
    assert.deepEqual(sut.chatwoot!.conversations().filter((conversation) => conversation.contactId === contact!.id).length, 1);
    // The members are not filed as contacts of their own: they wrote in the group.
    assert.deepEqual([...chatwootView(sut).contactsOf(rui), ...chatwootView(sut).contactsOf(ana)], []);
  });

  it("sends an agent's reply in a group's conversation to the group", async () => {
    const group = newGroupId();
    const text = `pergunta no grupo ${randomInt(1_000_000)}`;
    await sut.wpp.receive({ from: group, isGroup: true, author: newDriverPhone(), pushname: 'Rui', body: text });
    const [message] = await eventually(async () => {
      const found = sut.chatwoot!.conversations().flatMap((conversation) => sut.chatwoot!.messages(conversation.id)).filter((candidate) => candidate.content?.endsWith(text));
      return found.length === 1 ? found : undefined;
    }, 15_000, 'the group message in Chatwoot');
    await sut.chatwoot!.agentReply(message!.conversationId, { content: 'Bom dia a todos!' });
    const groupDigits = group.split('@')[0]!;
    const sent = await eventually(async () => {
      const toGroup = sut.wpp.sent.filter((record) => record.phone === groupDigits);
      return toGroup.length > 0 ? toGroup : undefined;
    }, 15_000, 'the reply in the group');
    assert.deepEqual(sent.map((record) => record.body), ['Bom dia a todos!']);
  });
});

describe('WhatsApp ↔ Chatwoot bridge with CHATWOOT_VERIFY_SIGNATURE=false (Chatwoot older than 4.13)', () => {
  let sut: TestSystem;
  const webhookToken = `test-chatwoot-url-token-${randomInt(1_000_000_000)}`;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', CHATWOOT_VERIFY_SIGNATURE: 'false', CHATWOOT_WEBHOOK_TOKEN: webhookToken }, { bridge: true });
    sut.chatwoot!.signWebhooks = false;
  });
  after(async () => sut.stop());

  it("accepts the unsigned webhook of an agent's reply at the URL with CHATWOOT_WEBHOOK_TOKEN and sends the reply to the driver", async () => {
    const phone = newDriverPhone();
    const conversationId = await conversationWith(sut, phone);
    const { messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Bom dia! Já vejo isso.' });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000, 'the reply on WhatsApp');
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body), ['Bom dia! Já vejo isso.']);
    const delivery = sut.chatwoot!.webhookDeliveries.find((candidate) => candidate.event === 'message_created' && candidate.payloadId === messageId);
    assert.equal(delivery?.status, 200);
    assert.equal(delivery.deliveryId, null, 'it came unsigned');
  });

  it('refuses an unsigned message_created without the URL token or with a wrong one: the company number sends nothing', async () => {
    const phone = newDriverPhone();
    const conversationId = await conversationWith(sut, phone);
    const base = sut.system.apiUrl!;
    try {
      for (const url of [`${base}/webhooks/chatwoot`, `${base}/webhooks/chatwoot/not-the-token`, `${base}/webhooks/chatwoot/${webhookToken}x`]) {
        sut.chatwoot!.setWebhookUrl(url);
        const { messageId } = await sut.chatwoot!.agentReply(conversationId, { content: `Envie o seu código (${url.slice(base.length)})` });
        await sut.chatwoot!.webhooksIdle();
        const delivery = sut.chatwoot!.webhookDeliveries.find((candidate) => candidate.event === 'message_created' && candidate.payloadId === messageId);
        assert.equal(delivery?.status, 401, url.slice(base.length));
      }
    } finally {
      sut.chatwoot!.setWebhookUrl(`${base}/webhooks/chatwoot/${webhookToken}`);
    }
    await sut.chatwoot!.agentReply(conversationId, { content: 'Resposta verdadeira' });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000, 'the real reply on WhatsApp');
    await chatAtRest(sut, phone);
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body), ['Resposta verdadeira']);
  });
});

describe('WhatsApp ↔ Chatwoot bridge with BRIDGE_AGENT_SIGNATURE=true', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', BRIDGE_AGENT_SIGNATURE: 'true' }, { bridge: true });
  });
  after(async () => sut.stop());

  it("puts the agent's name first, in bold: on a text, and as the caption of a file sent alone", async () => {
    const phone = newDriverPhone();
    const conversationId = await conversationWith(sut, phone);
    await sut.chatwoot!.agentReply(conversationId, { content: 'Bom dia! Já vejo isso.', agentName: 'Ana (Suporte)' });
    await sut.chatwoot!.agentReply(conversationId, {
      agentName: '*Rui*\nCosta',
      attachments: [{ filename: 'rota.jpg', contentType: 'image/jpeg', bytes: await makeJpeg({ width: 320, height: 240 }) }],
    });
    const sentTo = () => sut.wpp.sent.filter((message) => message.phone === phone);
    await eventually(async () => (sentTo().length >= 2 ? true : undefined), 15_000, 'both replies on WhatsApp');
    const [text, photo] = sentTo();
    assert.equal(text!.body, '*Ana (Suporte):*\nBom dia! Já vejo isso.');
    // Formatting marks and line breaks in a name would break the bold: they go.
    assert.deepEqual([photo!.type, photo!.caption], ['image', '*Rui Costa:*']);
    // Chatwoot keeps what the agent wrote; only WhatsApp gets the name.
    assert.equal(postedWithText(sut, 'Bom dia! Já vejo isso.').length, 1);
  });
});
