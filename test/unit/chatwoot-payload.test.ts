import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentTyping, decideChatwootWebhook } from '../../integrations/chatwoot/webhook.ts';

const inboxId = 7;
const conversation = { id: 1021, inbox_id: inboxId, status: 'open', contact_inbox: { source_id: '351912345678@c.us' } };

/** A `message_created` as Chatwoot's inbox webhook sends it (CONTRACTS.md §1.7), trimmed. */
const messageCreated = (overrides: Record<string, unknown> = {}) => ({
  event: 'message_created', id: 88002, content: 'Bom dia', message_type: 'outgoing', private: false, source_id: null,
  inbox: { id: inboxId }, conversation, ...overrides,
});
/** A conversation event: the conversation itself, `event`, and the changes. */
const conversationEvent = (event: string, changes: Array<Record<string, { previous_value: unknown; current_value: unknown }>>) => ({
  event, ...conversation, updated_at: '2026-06-20T10:15:02.123Z', changed_attributes: changes,
});

describe("Chatwoot webhook: what reaches a chat's workflow", () => {
  it("forwards an agent's reply, and nothing the bridge or the bot posted", () => {
    const reply = decideChatwootWebhook(messageCreated(), inboxId);
    assert.equal(reply.forward && reply.message.kind, 'outbound');
    assert.equal(reply.forward && reply.chatId, '351912345678@c.us');
    for (const sourceId of ['wa:true_351912345678@c.us_3EB0', 'bot:answer:x:0']) {
      assert.deepEqual(decideChatwootWebhook(messageCreated({ source_id: sourceId }), inboxId), { forward: false, why: 'posted by the bridge (echo)' });
    }
    assert.equal(decideChatwootWebhook(messageCreated({ message_type: 'incoming' }), inboxId).forward, false);
    assert.equal(decideChatwootWebhook(messageCreated({ inbox: { id: 8 } }), inboxId).forward, false);
  });

  it("keeps an agent's name for the signature, and none for a bot's message or a sender without a name", () => {
    const nameOf = (sender: unknown) => {
      const decision = decideChatwootWebhook(messageCreated(sender === undefined ? {} : { sender }), inboxId);
      return decision.forward && decision.message.kind === 'outbound' ? decision.message.agentName : 'not forwarded';
    };
    assert.equal(nameOf({ id: 3, name: ' Ana (Suporte) ', email: 'ana@example.pt', type: 'user' }), 'Ana (Suporte)');
    assert.equal(nameOf({ id: 9, name: 'Assistente', type: 'agent_bot' }), null);
    assert.equal(nameOf({ id: 3, name: '   ', type: 'user' }), null);
    assert.equal(nameOf(null), null);
    assert.equal(nameOf(undefined), null);
  });

  it('forwards nothing for a contact that is no WhatsApp chat (its source_id names the workflow)', () => {
    for (const sourceId of ['../../351912345678@c.us', '351912345678%2f..@c.us', '351912345678@evil.example']) {
      const contact = { ...conversation, contact_inbox: { source_id: sourceId } };
      assert.deepEqual(decideChatwootWebhook(messageCreated({ conversation: contact }), inboxId), { forward: false, why: 'the contact is not a WhatsApp chat id' });
      assert.equal(decideChatwootWebhook({ ...conversationEvent('conversation_status_changed', [{ status: { previous_value: 'open', current_value: 'resolved' } }]), contact_inbox: { source_id: sourceId } }, inboxId).forward, false);
    }
  });

  it('reads a conversation update with 300,000 changed attributes without overflowing the stack', () => {
    const changes = [...Array.from({ length: 300_000 }, () => ({})), { status: { previous_value: 'open', current_value: 'resolved' } }];
    const decision = decideChatwootWebhook(conversationEvent('conversation_updated', changes), inboxId);
    assert.equal(decision.forward && decision.message.kind === 'control' && decision.message.control, 'resolved');
  });

  it('keeps private notes in Chatwoot, except the /bot command, which hands back to the bot', () => {
    assert.deepEqual(decideChatwootWebhook(messageCreated({ private: true, content: 'Cliente difícil' }), inboxId), { forward: false, why: 'private note' });
    const command = decideChatwootWebhook(messageCreated({ private: true, content: ' /BOT ' }), inboxId);
    assert.deepEqual(command.forward && command.message, { kind: 'control', control: 'resume-bot', ref: '88002' });
  });

  it('turns an assignment, a resolution and the retomar-bot label into controls, and ignores other changes', () => {
    const control = (body: unknown) => {
      const decision = decideChatwootWebhook(body, inboxId);
      return decision.forward && decision.message.kind === 'control' ? decision.message.control : null;
    };
    assert.equal(control(conversationEvent('conversation_updated', [{ assignee_id: { previous_value: null, current_value: 2 } }])), 'assigned');
    assert.equal(control(conversationEvent('conversation_updated', [{ assignee_id: { previous_value: 2, current_value: null } }])), null, 'unassigned');
    assert.equal(control(conversationEvent('conversation_status_changed', [{ status: { previous_value: 'open', current_value: 'resolved' } }])), 'resolved');
    assert.equal(control(conversationEvent('conversation_status_changed', [{ status: { previous_value: 'resolved', current_value: 'open' } }])), null);
    const labels = (previous: string[], current: string[]) => conversationEvent('conversation_updated', [{ label_list: { previous_value: previous, current_value: current } }]);
    assert.equal(control(labels(['cadastro-pendente'], ['cadastro-pendente', 'retomar-bot'])), 'resume-bot');
    assert.equal(control(labels(['retomar-bot'], ['retomar-bot', 'vip'])), null, 'only when the label is added');
    assert.equal(control({ ...labels([], ['retomar-bot']), inbox_id: 8 }), null, 'another inbox');
  });

  it("reads a message_updated as an agent's deletion, a possible retry, or a failure being recorded (nothing to do)", () => {
    const updated = (overrides: Record<string, unknown>) => decideChatwootWebhook(messageCreated({ event: 'message_updated', ...overrides }), inboxId, 'delivery-1');
    assert.deepEqual(updated({ content: 'This message was deleted', content_attributes: { deleted: true } }), {
      forward: true, chatId: '351912345678@c.us', message: { kind: 'agent-deletion', chatwootMessageId: 88002, conversationId: 1021 },
    });
    assert.deepEqual(updated({ content_attributes: { external_error: 'WhatsApp ack -1' } }), { forward: false, why: 'a failure recorded' });
    assert.deepEqual(updated({ content_attributes: { translations: { en: 'Good morning' } } }), { forward: false, why: 'an update that is no retry' });
    const retry = updated({ content_attributes: {} });
    assert.equal(retry.forward && retry.message.kind === 'outbound' && retry.message.retry, 'delivery-1');
    // A created message is never a retry, and an update of a private note or of the bridge's own post is nothing.
    const created = decideChatwootWebhook(messageCreated(), inboxId, 'delivery-2');
    assert.equal(created.forward && created.message.kind === 'outbound' && created.message.retry, undefined);
    assert.equal(updated({ private: true, content: '/bot' }).forward, false);
    assert.equal(updated({ source_id: 'wa:false_351912345678@c.us_3EB0', content_attributes: { deleted: true } }).forward, false);
  });

  it("reads the agent's typing, never a private note's, nor another inbox's or a contact that is no chat", () => {
    const typing = (event: string, overrides: Record<string, unknown> = {}) =>
      agentTyping({ event, user: { id: 3, name: 'Ana', email: 'ana@example.pt', type: 'user' }, conversation, is_private: false, ...overrides }, inboxId);
    assert.deepEqual(typing('conversation_typing_on'), { chatId: '351912345678@c.us', typing: true });
    assert.deepEqual(typing('conversation_typing_off'), { chatId: '351912345678@c.us', typing: false });
    assert.equal(typing('conversation_typing_on', { is_private: true }), null);
    assert.equal(typing('conversation_typing_on', { conversation: { ...conversation, inbox_id: 8 } }), null);
    assert.equal(typing('conversation_typing_on', { conversation: { ...conversation, contact_inbox: { source_id: '../x' } } }), null);
    assert.equal(agentTyping(messageCreated(), inboxId), null);
  });
});
