import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { chatAtRest, chatWorkflowExists, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

describe('WhatsApp ↔ Chatwoot bridge: contacts, groups and refused sends', () => {
  const sut = useTestSystem({}, { bridge: true });

  const chatwoot = () => sut().chatwoot!;
  const contactsWithPhone = (phone: string) => chatwoot().contacts().filter((contact) => contact.phoneNumber === `+${phone}`);
  const incomingOf = (contactId: number) =>
    chatwoot().conversations().filter((conversation) => conversation.contactId === contactId)
      .flatMap((conversation) => chatwoot().messages(conversation.id).filter((message) => message.messageType === 'incoming'));

  it('keeps one Chatwoot contact for a driver who also appears under an @lid id', async () => {
    const phone = newDriverPhone();
    const lid = `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000, 999_999)}@lid`;
    sut().wpp.registerLid(lid, phone);
    await sut().wpp.receive({ from: phone, body: 'pelo número' });
    await waitForIncoming(sut(), phone, 'pelo número');
    await sut().wpp.receive({ from: lid, body: 'pelo lid' });
    const contact = contactsWithPhone(phone)[0]!;
    await eventually(async () => (incomingOf(contact.id).length === 2 ? true : undefined), 15_000, 'both messages on the one contact');
    await chatAtRest(sut(), lid);
    assert.equal(contactsWithPhone(phone).length, 1);
    assert.equal(chatwoot().contacts().filter((candidate) => candidate.identifier === lid).length, 0, 'no contact for the lid');
  });

  it("follows the driver's WhatsApp name on the contact, but never over a name an agent gave it", async () => {
    const phone = newDriverPhone();
    const says = async (pushname: string, body: string) => {
      await sut().wpp.receive({ from: phone, body, pushname });
      await waitForIncoming(sut(), phone, body);
      await chatAtRest(sut(), phone);
    };
    const contact = () => contactsWithPhone(phone)[0]!;
    await says('Rui', 'Olá');
    assert.deepEqual([contact().name, contact().customAttributes.whatsapp_name], ['Rui', 'Rui']);
    await says('Rui Almeida', 'Mudei o meu nome');
    assert.deepEqual([contact().name, contact().customAttributes.whatsapp_name], ['Rui Almeida', 'Rui Almeida'], 'renamed with WhatsApp');
    // An agent names the contact: from then on WhatsApp's name is noted, the agent's kept.
    chatwoot().renameContact(contact().id, 'Rui Almeida (Porto, carrinha)');
    await says('Rui A.', 'E outra vez');
    assert.deepEqual([contact().name, contact().customAttributes.whatsapp_name], ['Rui Almeida (Porto, carrinha)', 'Rui A.']);
    assert.equal(contactsWithPhone(phone).length, 1);
  });

  it('ignores group chats by default', async () => {
    const member = newDriverPhone();
    const group = `1203630${randomInt(10_000_000, 99_999_999)}@g.us`;
    const { id, delivered } = await sut().wpp.receive({ from: group, isGroup: true, author: member, body: 'mensagem no grupo' });
    await delivered;
    // The webhook was answered, and the bridge hands a message over before it answers: it looked, and let it be.
    const delivery = sut().wpp.webhookDeliveries.find((candidate) => candidate.event === 'onmessage' && candidate.messageId === id);
    assert.equal(delivery?.status, 200);
    assert.equal(await chatWorkflowExists(sut(), group), false, 'no chat workflow for the group');
    assert.deepEqual(contactsWithPhone(member), [], 'no contact for the member');
    assert.deepEqual(chatwoot().contacts().filter((contact) => contact.sourceIds.includes(group) || contact.identifier === group), [], 'no contact for the group');
  });

  it('marks a reply WhatsApp refuses for good as failed, with a private note for the agent', async () => {
    const phone = newDriverPhone();
    await sut().wpp.receive({ from: phone, body: 'Olá' });
    const conversationId = (await waitForIncoming(sut(), phone, 'Olá')).conversationId;
    sut().wpp.setUnknownNumbers([phone]);
    try {
      const { messageId } = await chatwoot().agentReply(conversationId, { content: 'Está aí?' });
      const reply = await eventually(async () => {
        const found = chatwoot().messages(conversationId).find((message) => message.id === messageId);
        return found?.status === 'failed' ? found : undefined;
      }, 15_000, 'the failed status');
      assert.match(reply.externalError ?? '', /não existe/);
      // The note is posted right after the status, by the same relay: once the chat is at rest, it is there.
      await chatwoot().webhooksIdle();
      await chatAtRest(sut(), phone);
      const notes = chatwoot().messages(conversationId).filter((message) => message.private);
      assert.equal(notes.length, 1);
      assert.match(notes[0]!.content ?? '', /não chegou ao WhatsApp do motorista: .*não existe\. Verifique/);
      assert.equal(sut().wpp.sent.filter((message) => message.phone === phone).length, 0);
    } finally {
      sut().wpp.setUnknownNumbers([]);
    }
  });
});
