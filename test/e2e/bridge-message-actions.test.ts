import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { agentNotes, agentRenderings } from '../../domain/texts/agents.ts';
import { chatAtRest, chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

/**
 * What people do to messages already in a chat: the driver's reactions and deletions reach Chatwoot
 * against the message they are about, an agent's deletion and retry reach WhatsApp.
 */
describe('WhatsApp ↔ Chatwoot bridge: reactions, deletions and retries', () => {
  let sut: TestSystem;
  before(async () => {
    // A long reply window, so a reply deleted at once is surely still waiting in its chat.
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', BRIDGE_REPLY_ORDER_WINDOW: '3s' }, { bridge: true });
  });
  after(async () => sut.stop());

  const messagesOf = (phone: string) => chatwootView(sut).conversationsOf(phone).flatMap((conversation) => sut.chatwoot!.messages(conversation.id));
  const sentTo = (phone: string) => sut.wpp.sent.filter((message) => message.phone === phone);

  /** A driver's message, relayed; returns its WhatsApp id and its Chatwoot message. */
  async function driverWrites(phone: string, body: string) {
    const { id } = await sut.wpp.receive({ from: phone, body });
    return { whatsappId: id, posted: await waitForIncoming(sut, phone, body) };
  }

  /** An agent's reply, relayed to WhatsApp; returns its Chatwoot id and its WhatsApp id. */
  async function agentReplies(phone: string, content: string) {
    const { messageId } = await sut.chatwoot!.agentReply(chatwootView(sut).conversationIdOf(phone), { content });
    const sent = await eventually(async () => sentTo(phone).find((message) => message.body === content), 15_000, 'the reply on WhatsApp');
    return { messageId, whatsappId: sent.id };
  }

  it("shows a driver's reaction, and its removal, in reply to the message reacted to, once each though the webhook came twice", async () => {
    const phone = newDriverPhone();
    const original = await driverWrites(phone, 'Já entreguei a encomenda');
    sut.wpp.faults.duplicateWebhooks = true;
    try {
      await sut.wpp.react({ messageId: original.whatsappId, emoji: '👍' }).delivered;
      await sut.wpp.react({ messageId: original.whatsappId, emoji: '' }).delivered;
    } finally {
      sut.wpp.faults.duplicateWebhooks = false;
    }
    await chatAtRest(sut, phone);
    const reactions = messagesOf(phone).filter((message) => message.content === agentRenderings.reaction('👍') || message.content === agentRenderings.reaction(''));
    assert.deepEqual(reactions.map((message) => [message.content, message.messageType, message.contentAttributes.in_reply_to]), [
      ['Reagiu com 👍', 'incoming', original.posted.id],
      ['Retirou a reação a esta mensagem.', 'incoming', original.posted.id],
    ]);
  });

  it("shows a driver's reaction to an agent's reply against that reply", async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Bom dia');
    const reply = await agentReplies(phone, 'Bom dia! Em que posso ajudar?');
    await sut.wpp.react({ messageId: reply.whatsappId, emoji: '❤️' }).delivered;
    const reaction = await waitForIncoming(sut, phone, 'Reagiu com ❤️');
    assert.equal(reaction.contentAttributes.in_reply_to, reply.messageId);
  });

  it('puts a reaction that arrives before its message after it', async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Olá');
    // The message's webhook takes the slow road; the reaction to it overtakes it.
    sut.wpp.faults.webhookDelayMs = 1_500;
    const { id } = await sut.wpp.receive({ from: phone, body: 'A morada é a Rua das Flores, 12' });
    sut.wpp.faults.webhookDelayMs = 0;
    const reacted = sut.wpp.react({ messageId: id, emoji: '🙏' });
    await reacted.delivered;
    const original = await waitForIncoming(sut, phone, 'A morada é a Rua das Flores, 12');
    const reaction = await waitForIncoming(sut, phone, 'Reagiu com 🙏');
    assert.ok(original.id < reaction.id, 'the message first, then the reaction');
    assert.equal(reaction.contentAttributes.in_reply_to, original.id);
    const arrivals = sut.wpp.webhookDeliveries.filter((delivery) => delivery.messageId === id);
    assert.deepEqual(arrivals.map((delivery) => delivery.event), ['onreactionmessage', 'onmessage'], 'the webhooks crossed');
  });

  it("keeps a message the driver deleted for everyone, with a private note in reply to it, once though the webhook came twice", async () => {
    const phone = newDriverPhone();
    const original = await driverWrites(phone, 'O meu NIF é o 123456789');
    sut.wpp.faults.duplicateWebhooks = true;
    try {
      await sut.wpp.revoke(original.whatsappId).delivered;
    } finally {
      sut.wpp.faults.duplicateWebhooks = false;
    }
    await chatAtRest(sut, phone);
    const notes = messagesOf(phone).filter((message) => message.content === agentNotes.driverDeleted());
    assert.deepEqual(notes.map((note) => [note.private, note.contentAttributes.in_reply_to]), [[true, original.posted.id]]);
    assert.equal(messagesOf(phone).find((message) => message.id === original.posted.id)?.content, 'O meu NIF é o 123456789', 'the original stays as it was');
  });

  it('deletes for everyone on WhatsApp a reply the agent deleted in Chatwoot', async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Preciso de ajuda');
    const reply = await agentReplies(phone, 'Enviei-lhe o contrato errado');
    sut.chatwoot!.deleteMessage(chatwootView(sut).conversationIdOf(phone), reply.messageId);
    await eventually(async () => sut.wpp.deletions.find((deletion) => deletion.messageId === reply.whatsappId), 15_000, 'the deletion on WhatsApp');
    await chatAtRest(sut, phone);
    assert.deepEqual(sut.wpp.deletions.filter((deletion) => deletion.messageId === reply.whatsappId).map((deletion) => deletion.forEveryone), [true]);
    const chat = sut.wpp.chats().find((candidate) => candidate.id === `${phone}@c.us`)!;
    assert.equal(chat.messages.find((message) => message.id === reply.whatsappId)?.type, 'revoked');
  });

  it('never sends a reply the agent deleted while it still waited to go', async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Quando recebo?');
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    const { messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Resposta apagada antes de sair' });
    sut.chatwoot!.deleteMessage(conversationId, messageId);
    await sut.chatwoot!.agentReply(conversationId, { content: 'Recebe na sexta-feira.' });
    await eventually(async () => (sentTo(phone).length > 0 ? true : undefined), 15_000, 'the next reply on WhatsApp');
    await chatAtRest(sut, phone);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Recebe na sexta-feira.']);
    assert.deepEqual(sut.wpp.deletions.filter((deletion) => deletion.chatId === `${phone}@c.us`), []);
  });

  it('tells the agent, in a note, that a reply sent too long ago stays on WhatsApp', async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Obrigado');
    const reply = await agentReplies(phone, 'De nada!');
    await chatAtRest(sut, phone);
    // Sent three days ago: WhatsApp no longer deletes it for everyone.
    await sut.system.db.query("UPDATE whatsapp_deliveries SET sent_at = now() - interval '3 days' WHERE sent_at > now() - interval '1 hour' AND origin = 'agent' AND chatwoot_message_id = $1", [reply.messageId]);
    sut.chatwoot!.deleteMessage(chatwootView(sut).conversationIdOf(phone), reply.messageId);
    const note = await eventually(async () => messagesOf(phone).find((message) => message.content === agentNotes.replyNotDeletable(48)), 15_000, 'the note');
    assert.deepEqual([note.private, note.contentAttributes.in_reply_to], [true, reply.messageId]);
    await chatAtRest(sut, phone);
    assert.deepEqual(sut.wpp.deletions.filter((deletion) => deletion.messageId === reply.whatsappId), []);
  });

  it("sends once a reply whose webhook failed, when the agent retries it, and not again on the webhooks that follow", async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Tenho uma dúvida');
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    // The signed webhook's address, as the test system sets it; a wrong one fails Chatwoot's delivery.
    const webhookUrl = `${sut.system.apiUrl}/webhooks/chatwoot`;
    sut.chatwoot!.setWebhookUrl(`${sut.system.apiUrl}/webhooks/chatwoot/not-the-token`);
    let messageId: number;
    try {
      ({ messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Resposta que falhou' }));
      await sut.chatwoot!.webhooksIdle();
    } finally {
      sut.chatwoot!.setWebhookUrl(webhookUrl);
    }
    const failed = sut.chatwoot!.messages(conversationId).find((message) => message.id === messageId)!;
    assert.equal(failed.status, 'failed', 'Chatwoot marks a reply failed when its webhook fails');
    assert.deepEqual(sentTo(phone), []);

    sut.chatwoot!.retryMessage(conversationId, messageId);
    await eventually(async () => (sentTo(phone).length > 0 ? true : undefined), 15_000, 'the retried reply on WhatsApp');
    await chatAtRest(sut, phone);
    // The statuses the bridge sets come back as message_updated webhooks too: none sends it again.
    await sut.wpp.markRead(sentTo(phone)[0]!.id);
    await chatAtRest(sut, phone);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Resposta que falhou']);
    assert.equal(sut.chatwoot!.messages(conversationId).find((message) => message.id === messageId)?.status, 'read');
  });

  it('sends again, on the agent\'s retry, a reply WhatsApp took and then reported failed', async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Recebeu a minha mensagem?');
    const reply = await agentReplies(phone, 'Sim, recebi.');
    await chatAtRest(sut, phone);
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    await sut.wpp.failDelivery(reply.whatsappId);
    await eventually(async () => (sut.chatwoot!.messages(conversationId).find((message) => message.id === reply.messageId)?.status === 'failed' ? true : undefined), 15_000, 'the reply marked failed');
    await chatAtRest(sut, phone);
    sut.chatwoot!.retryMessage(conversationId, reply.messageId);
    await eventually(async () => (sentTo(phone).length === 2 ? true : undefined), 15_000, 'the reply sent again');
    await chatAtRest(sut, phone);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Sim, recebi.', 'Sim, recebi.']);
  });

  it('sends a reply WhatsApp refused once the agent retries it, after the number is fixed', async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Mudei de número?');
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    sut.wpp.setUnknownNumbers([phone]);
    const { messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Confirme o seu número, por favor' });
    await eventually(async () => (sut.chatwoot!.messages(conversationId).find((message) => message.id === messageId)?.status === 'failed' ? true : undefined), 15_000, 'the reply marked failed');
    await chatAtRest(sut, phone);
    sut.wpp.setUnknownNumbers([]);
    sut.chatwoot!.retryMessage(conversationId, messageId);
    await eventually(async () => (sentTo(phone).length > 0 ? true : undefined), 15_000, 'the retried reply on WhatsApp');
    await chatAtRest(sut, phone);
    assert.deepEqual(sentTo(phone).map((message) => message.body), ['Confirme o seu número, por favor']);
  });

  it("shows the agent typing on the driver's phone: a burst of typing webhooks is one call on and one off, a private note's none", async () => {
    const phone = newDriverPhone();
    await driverWrites(phone, 'Está aí alguém?');
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    const typingIn = () => sut.wpp.typing.filter((call) => call.chatId === `${phone}@c.us`).map((call) => call.typing);
    // Chatwoot promises no order between webhooks: the pause comes once the burst was delivered.
    for (let key = 0; key < 12; key++) sut.chatwoot!.agentTyping(conversationId, true);
    await sut.chatwoot!.webhooksIdle();
    sut.chatwoot!.agentTyping(conversationId, false);
    await sut.chatwoot!.webhooksIdle();
    sut.chatwoot!.agentTyping(conversationId, true, true);
    sut.chatwoot!.agentTyping(conversationId, false, true);
    await sut.chatwoot!.webhooksIdle();
    assert.deepEqual(typingIn(), [true, false]);
  });
});

describe('WhatsApp ↔ Chatwoot bridge with BRIDGE_READ_RECEIPTS=agent (WPPConnect\'s webhook.readMessage off)', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', BRIDGE_READ_RECEIPTS: 'agent' }, { bridge: true });
    sut.wpp.setReadMessage(false);
  });
  after(async () => sut.stop());

  const unread = (phone: string) => sut.wpp.chats().find((chat) => chat.id === `${phone}@c.us`)?.unreadCount;

  it('leaves the driver without blue ticks until an agent takes the conversation', async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Bom dia, preciso de ajuda' });
    await waitForIncoming(sut, phone, 'Bom dia, preciso de ajuda');
    await chatAtRest(sut, phone);
    assert.equal(unread(phone), 1, 'relayed, not read');
    await sut.chatwoot!.assign(chatwootView(sut).conversationIdOf(phone));
    await eventually(async () => (unread(phone) === 0 ? true : undefined), 15_000, 'the chat read once an agent took it');
  });

  it('reads the chat when an agent answers', async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá?' });
    await waitForIncoming(sut, phone, 'Olá?');
    await chatAtRest(sut, phone);
    assert.equal(unread(phone), 1);
    await sut.chatwoot!.agentReply(chatwootView(sut).conversationIdOf(phone), { content: 'Olá! Diga.' });
    await eventually(async () => (unread(phone) === 0 ? true : undefined), 15_000, 'the chat read by the reply');
  });
});
