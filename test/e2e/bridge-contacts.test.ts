import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newDriverPhone } from '../support/bridge-views.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

describe('WhatsApp ↔ Chatwoot bridge: contacts, groups and refused sends', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({}, { bridge: true });
  });
  after(async () => sut.stop());

  const chatwoot = () => sut.chatwoot!;
  const contactsWithPhone = (phone: string) => chatwoot().contacts().filter((contact) => contact.phoneNumber === `+${phone}`);
  const incomingOf = (contactId: number) =>
    chatwoot().conversations().filter((conversation) => conversation.contactId === contactId)
      .flatMap((conversation) => chatwoot().messages(conversation.id).filter((message) => message.messageType === 'incoming'));

  it('keeps one Chatwoot contact for a driver who also appears under an @lid id', async () => {
    const phone = newDriverPhone();
    const lid = `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000, 999_999)}@lid`;
    sut.wpp.registerLid(lid, phone);
    await sut.wpp.receive({ from: phone, body: 'pelo número' });
    await eventually(async () => (contactsWithPhone(phone).length === 1 ? true : undefined), 15_000);
    await sut.wpp.receive({ from: lid, body: 'pelo lid' });
    const contact = contactsWithPhone(phone)[0]!;
    await eventually(async () => (incomingOf(contact.id).length === 2 ? true : undefined), 15_000, 'both messages on the one contact');
    assert.equal(contactsWithPhone(phone).length, 1);
    assert.equal(chatwoot().contacts().filter((candidate) => candidate.identifier === lid).length, 0, 'no contact for the lid');
  });

  it('ignores group chats by default', async () => {
    const before = chatwoot().contacts().length;
    const member = newDriverPhone();
    await sut.wpp.receive({ from: `1203630${randomInt(10_000_000, 99_999_999)}@g.us`, isGroup: true, author: member, body: 'mensagem no grupo' });
    await sut.wpp.settled();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(chatwoot().contacts().length, before);
  });

  it('marks a reply WhatsApp refuses for good as failed, with a private note for the agent', async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    await eventually(async () => (contactsWithPhone(phone).length === 1 ? true : undefined), 15_000);
    const contact = contactsWithPhone(phone)[0]!;
    await eventually(async () => (incomingOf(contact.id).length === 1 ? true : undefined), 15_000);
    const conversationId = chatwoot().conversations().find((conversation) => conversation.contactId === contact.id)!.id;
    sut.wpp.setUnknownNumbers([phone]);
    const { messageId } = await chatwoot().agentReply(conversationId, { content: 'Está aí?' });
    const reply = await eventually(async () => {
      const found = chatwoot().messages(conversationId).find((message) => message.id === messageId);
      return found?.status === 'failed' ? found : undefined;
    }, 15_000, 'the failed status');
    assert.match(reply.externalError ?? '', /não existe/);
    // The note is posted right after the status, so it may land a moment later.
    const notes = await eventually(async () => {
      const privateNotes = chatwoot().messages(conversationId).filter((message) => message.private);
      return privateNotes.length > 0 ? privateNotes : undefined;
    }, 15_000, 'the private note');
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.content ?? '', /não chegou ao WhatsApp do motorista: .*não existe\. Verifique/);
    assert.equal(sut.wpp.sent.filter((message) => message.phone === phone).length, 0);
  });
});
