/**
 * The real Chatwoot client against the Chatwoot simulator over real HTTP, and the
 * simulator's webhooks arriving at a real HTTP receiver.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import type { ChatwootClientOptions } from '../../integrations/chatwoot/client.ts';
import { createChatwootClient } from '../../integrations/chatwoot/client.ts';
import { verifyChatwootSignature } from '../../integrations/chatwoot/signature.ts';
import { ErrorType } from '../../domain/errors.ts';
import type { ChatwootSimulator } from '../simulators/chatwoot/index.ts';
import { startChatwootSimulator } from '../simulators/chatwoot/index.ts';
import type { WebhookReceiver } from '../simulators/chatwoot/webhook-receiver.ts';
import { startWebhookReceiver } from '../simulators/chatwoot/webhook-receiver.ts';
import { assertRetryable, assertPermanent } from '../support/failures.ts';

const PHONE = '+351912345678';
const WA_ID = '351912345678@c.us';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2048, 7)]);

async function simulator(t: TestContext, options: { signWebhooks?: boolean } = {}): Promise<ChatwootSimulator> {
  const sim = await startChatwootSimulator({ apiToken: 'sim-token-for-tests', ...options });
  t.after(() => sim.close());
  return sim;
}

async function receiverFor(t: TestContext, sim: ChatwootSimulator): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver();
  t.after(() => receiver.close());
  sim.setWebhookUrl(receiver.url);
  return receiver;
}

function clientFor(sim: ChatwootSimulator, options: Partial<ChatwootClientOptions> = {}) {
  return createChatwootClient({ baseUrl: sim.url, accountId: sim.accountId, inboxId: sim.inboxId, apiToken: sim.apiToken, timeoutMs: 2_000, ...options });
}

/** A contact of this inbox with one open conversation. */
async function driverConversation(sim: ChatwootSimulator) {
  const client = clientFor(sim);
  const contact = await client.createContact({ name: 'Rui Almeida', phoneE164: PHONE, identifier: `wa:${WA_ID}`, sourceId: WA_ID });
  const conversation = await client.createConversation({ contactId: contact.id, sourceId: WA_ID });
  return { client, contact, conversation };
}

test('deletes a contact (an erasure) with its conversation, once: a second delete finds nothing', async (t) => {
  const sim = await simulator(t);
  const { client, contact, conversation } = await driverConversation(sim);
  await client.createMessage(conversation.id, { content: 'Olá', messageType: 'incoming', sourceId: 'WAID:erase-1' });
  assert.equal(await client.deleteContact(contact.id), true);
  assert.equal(await client.findContactByPhone(PHONE), null);
  assert.equal(sim.conversations().some((each) => each.id === conversation.id), false);
  assert.equal(await client.deleteContact(contact.id), false);
});

test('finds a contact by its exact phone, never one whose phone merely contains the digits', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  // More decoys than one page (15) holds, all containing the phone's digits: a substring search would miss Rui.
  for (let i = 0; i < 16; i++) {
    const phone = `${PHONE}${String(i).padStart(2, '0')}`;
    await client.createContact({ name: `Decoy ${i}`, phoneE164: phone, identifier: `wa:decoy${i}`, sourceId: `decoy${i}` });
  }
  const { contact } = await driverConversation(sim);
  const found = await client.findContactByPhone(PHONE);
  assert.deepEqual(found, { id: contact.id, name: 'Rui Almeida', phoneNumber: PHONE, identifier: `wa:${WA_ID}`, customAttributes: {}, sourceIds: [WA_ID] });
  assert.equal(await client.findContactByPhone('+35191234567'), null);
  assert.ok(sim.requests.every((request) => !request.route.endsWith('/contacts/search')));
});

test('a create that loses to an existing contact returns that contact, linked to the inbox', async (t) => {
  const sim = await simulator(t);
  // Created by a person in the Chatwoot UI: same phone, no link to the bridge's inbox.
  const manual = await fetch(`${sim.url}/api/v1/accounts/${sim.accountId}/contacts`, {
    method: 'POST',
    headers: { api_access_token: sim.apiToken, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Rui (manual)', phone_number: PHONE }),
  });
  assert.equal(manual.status, 200);
  const client = clientFor(sim);
  const contact = await client.createContact({ name: 'Rui Almeida', phoneE164: PHONE, identifier: `wa:${WA_ID}`, sourceId: WA_ID });
  assert.equal(contact.name, 'Rui (manual)');
  assert.deepEqual(contact.sourceIds, [WA_ID]);
  assert.equal(sim.contacts().length, 1);
  assert.deepEqual(sim.contacts()[0]?.sourceIds, [WA_ID]);
  assert.ok(sim.requests.some((request) => request.route.endsWith('/contacts') && request.status === 422));
  await client.ensureContactInbox(contact.id, WA_ID); // idempotent
  assert.deepEqual(sim.contacts()[0]?.sourceIds, [WA_ID]);
});

test('conversations: created, listed for this inbox newest activity first, resolved and reopened', async (t) => {
  const sim = await simulator(t);
  const { client, contact, conversation: first } = await driverConversation(sim);
  assert.deepEqual(first, { id: first.id, status: 'open', inboxId: sim.inboxId, sourceId: WA_ID });
  await client.setConversationStatus(first.id, 'resolved');
  const second = await client.createConversation({ contactId: contact.id, sourceId: WA_ID });
  await client.createMessage(second.id, { content: 'Olá', messageType: 'incoming', sourceId: 'wa:1' });
  const listed = await client.contactConversations(contact.id);
  assert.deepEqual(listed.map(({ id, status }) => ({ id, status })), [{ id: second.id, status: 'open' }, { id: first.id, status: 'resolved' }]);
  assert.equal(listed[0]?.sourceId, WA_ID, 'the last message carries the contact-inbox source_id');
  await client.setConversationStatus(first.id, 'open');
  assert.equal(sim.conversations().find((c) => c.id === first.id)?.status, 'open');
  await client.setConversationStatus(first.id, 'pending');
  assert.equal(sim.conversations().find((c) => c.id === first.id)?.status, 'pending');
});

test('an incoming message keeps its source_id, links its reply and reopens a resolved conversation', async (t) => {
  const sim = await simulator(t);
  const { client, conversation } = await driverConversation(sim);
  const original = await client.createMessage(conversation.id, { content: 'Já enviei a carta', messageType: 'incoming', sourceId: 'wa:A' });
  await client.setConversationStatus(conversation.id, 'resolved');
  const reply = await client.createMessage(conversation.id, {
    content: 'Recebeu?', messageType: 'incoming', sourceId: 'wa:B', inReplyToExternalId: 'wa:A',
  });
  assert.deepEqual(reply, { id: reply.id, sourceId: 'wa:B', messageType: 'incoming', private: false, content: 'Recebeu?', status: 'sent' });
  const stored = sim.messages(conversation.id).find((message) => message.id === reply.id);
  assert.deepEqual(stored?.contentAttributes, { in_reply_to_external_id: 'wa:A', in_reply_to: original.id });
  assert.equal(sim.conversations()[0]?.status, 'open');
  const listed = await client.messages(conversation.id);
  assert.deepEqual(listed.map((message) => message.messageType), ['incoming', 'activity', 'incoming', 'activity']);
  assert.deepEqual((await client.messages(conversation.id, { after: original.id })).map((m) => m.id), listed.slice(1).map((m) => m.id));
});

test('a file goes up as multipart attachments[] and comes back through the Active Storage redirect', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { client, conversation } = await driverConversation(sim);
  const upload = { filename: 'carta.png', contentType: 'image/png', bytes: PNG };
  const message = await client.createMessage(conversation.id, {
    content: 'Carta de condução', messageType: 'incoming', sourceId: 'wa:IMG', attachments: [upload],
  });
  assert.equal(message.content, 'Carta de condução');
  const stored = sim.messages(conversation.id).find((m) => m.id === message.id)?.attachments[0];
  assert.deepEqual({ fileType: stored?.fileType, filename: stored?.filename, same: stored?.bytes.equals(PNG) }, { fileType: 'image', filename: 'carta.png', same: true });
  await sim.webhooksIdle();
  const [created] = receiver.events('message_created');
  const dataUrl = (created?.attachments as Array<{ data_url: string }>)[0]!.data_url;
  const downloaded = await client.downloadAttachment(dataUrl, 1_000_000);
  assert.ok(downloaded.bytes.equals(PNG));
  assert.equal(downloaded.contentType, 'image/png');
  assert.ok(sim.requests.some((r) => r.route.startsWith('/rails/active_storage/blobs/redirect') && r.status === 302));
  await assertPermanent(client.downloadAttachment(dataUrl, 1_000), ErrorType.PayloadTooLarge);
  // Without a Content-Length (chunked, as from S3 through a proxy) the limit holds while reading.
  const chunked = clientFor(sim, {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.delete('content-length');
      return new Response(response.body, { status: response.status, headers });
    },
  });
  await assertPermanent(chunked.downloadAttachment(dataUrl, 1_000), ErrorType.PayloadTooLarge);
  assert.equal((await chunked.downloadAttachment(dataUrl, PNG.length)).bytes.length, PNG.length);
  await assertPermanent(client.downloadAttachment(dataUrl.replace(/redirect\/[^/]+/, 'redirect/unknown--sim'), 1_000_000), ErrorType.NotFound);
});

test('message status PATCH: delivered, read, and read never goes back to delivered', async (t) => {
  const sim = await simulator(t);
  const { client, conversation } = await driverConversation(sim);
  const { id } = await client.createMessage(conversation.id, { content: 'Bem-vindo', messageType: 'outgoing', sourceId: 'bot:1' });
  const status = () => sim.messages(conversation.id).find((m) => m.id === id)?.status;
  await client.setMessageStatus(conversation.id, id, 'delivered');
  assert.equal(status(), 'delivered');
  await client.setMessageStatus(conversation.id, id, 'read');
  await client.setMessageStatus(conversation.id, id, 'delivered');
  assert.equal(status(), 'read');
  await client.setMessageStatus(conversation.id, id, 'failed', 'WhatsApp refused the number');
  assert.deepEqual(sim.messages(conversation.id).find((m) => m.id === id)?.externalError, 'WhatsApp refused the number');
  await assertPermanent(client.setMessageStatus(conversation.id, 999_999, 'read'), ErrorType.NotFound);
});

test('a bad token is permanent and never shows the token', async (t) => {
  const sim = await simulator(t);
  const failure = await assertPermanent(clientFor(sim, { apiToken: 'not-the-token' }).findContactByPhone(PHONE), ErrorType.ExternalServiceRejected);
  assert.match(failure.message, /answered 401: Invalid Access Token/);
  assert.ok(!failure.message.includes('not-the-token'));
});

test('429, 500, 502 and 503 are retryable, and the next attempt goes through', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  for (const status of [429, 500, 502, 503] as const) {
    sim.faults.failNext(1, status);
    await assertRetryable(client.findContactByPhone(PHONE), new RegExp(`answered ${status}`));
    assert.equal(await client.findContactByPhone(PHONE), null);
  }
});

test('a crashed server (connection reset) and a slow answer (timeout) are retryable', async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim, { timeoutMs: 100 });
  assert.equal(await client.findContactByPhone(PHONE), null); // a connection is open
  sim.faults.down = true;
  await assertRetryable(client.findContactByPhone(PHONE), /contacts\/filter (failed|timed out)/);
  sim.faults.down = false;
  assert.equal(await client.findContactByPhone(PHONE), null);
  sim.faults.delayMs = 300;
  await assertRetryable(client.findContactByPhone(PHONE), /contacts\/filter timed out after 100 ms/);
});

test('an unreachable server is retryable', async (t) => {
  const sim = await simulator(t);
  await sim.close();
  await assertRetryable(clientFor(sim).findContactByPhone(PHONE), /failed.*ECONNREFUSED/);
});

test('what the client posts reaches the webhook as message_created, signed, in webhook format', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { client, conversation } = await driverConversation(sim);
  const posted = await client.createMessage(conversation.id, { content: 'Tenho <b>carta</b> & NIF', messageType: 'incoming', sourceId: 'wa:X' });
  await sim.webhooksIdle();
  const hook = receiver.received.find((r) => r.body.event === 'message_created');
  assert.ok(hook, 'message_created was delivered');
  const check = verifyChatwootSignature({
    secret: sim.webhookSecret, rawBody: hook.rawBody, timestamp: hook.headers['x-chatwoot-timestamp'] as string,
    signature: hook.headers['x-chatwoot-signature'] as string, nowSeconds: Math.floor(Date.now() / 1000),
  });
  assert.deepEqual(check, { ok: true });
  assert.match(String(hook.headers['x-chatwoot-delivery']), /^[0-9a-f-]{36}$/);
  assert.ok(hook.rawBody.toString('utf8').includes('\\u003cb\\u003ecarta\\u003c/b\\u003e \\u0026 NIF'), 'Rails escapes <, > and &');
  const body = hook.body as { id: number; message_type: string; created_at: string; content: string; conversation: { contact_inbox: { source_id: string } } };
  assert.deepEqual(
    { id: body.id, type: body.message_type, content: body.content, sourceId: body.conversation.contact_inbox.source_id },
    { id: posted.id, type: 'incoming', content: 'Tenho <b>carta</b> & NIF', sourceId: WA_ID },
  );
  assert.match(body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(sim.webhookDeliveries.map((d) => d.event).sort(), ['conversation_created', 'message_created'], 'in no promised order');
});

test('an agent reply and a private note arrive as outgoing message_created from a user', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { conversation } = await driverConversation(sim);
  const { messageId } = await sim.agentReply(conversation.id, { content: 'Envie o NIF, por favor.' });
  await sim.agentReply(conversation.id, { content: 'Nota interna', private: true });
  await sim.webhooksIdle();
  const created = receiver.events('message_created');
  assert.deepEqual(
    created.map((body) => ({ id: body.id, type: body.message_type, private: body.private, sender: (body.sender as { type: string }).type })),
    [{ id: messageId, type: 'outgoing', private: false, sender: 'user' }, { id: messageId + 1, type: 'outgoing', private: true, sender: 'user' }],
  );
});

test('duplicateWebhooks delivers every event twice with the same message id', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { conversation } = await driverConversation(sim);
  sim.faults.duplicateWebhooks = true;
  const { messageId } = await sim.agentReply(conversation.id, { content: 'Olá' });
  await sim.webhooksIdle();
  const copies = receiver.received.filter((r) => r.body.event === 'message_created');
  assert.deepEqual(copies.map((r) => r.body.id), [messageId, messageId]);
  assert.notEqual(copies[0]?.headers['x-chatwoot-delivery'], copies[1]?.headers['x-chatwoot-delivery']);
});

test('unsigned (Chatwoot before 4.13) sends no X-Chatwoot headers at all', async (t) => {
  const sim = await simulator(t, { signWebhooks: false });
  const receiver = await receiverFor(t, sim);
  const { conversation } = await driverConversation(sim);
  await sim.agentReply(conversation.id, { content: 'Olá' });
  await sim.webhooksIdle();
  assert.ok(receiver.received.length >= 2);
  for (const hook of receiver.received) assert.deepEqual(Object.keys(hook.headers).filter((name) => name.startsWith('x-chatwoot')), []);
});

test('a failed delivery is not retried and marks the message failed, as Chatwoot does', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { conversation } = await driverConversation(sim);
  await sim.webhooksIdle();
  const before = sim.webhookDeliveries.length;
  receiver.answer = 500;
  const { messageId } = await sim.agentReply(conversation.id, { content: 'Olá' });
  await sim.webhooksIdle();
  const message = sim.messages(conversation.id).find((m) => m.id === messageId);
  assert.deepEqual({ status: message?.status, error: message?.externalError }, { status: 'failed', error: '500 Internal Server Error' });
  assert.deepEqual(sim.webhookDeliveries.slice(before).map((d) => `${d.event} ${d.status}`), ['message_created 500', 'message_updated 500']);
});

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type ChangedAttributes = Array<Record<string, { previous_value: unknown; current_value: unknown }>>;

/** changed_attributes with the updated_at times checked and left out, so the rest can be compared exactly. */
function changesBesidesUpdatedAt(body: Record<string, unknown>): ChangedAttributes {
  const changes = body.changed_attributes as ChangedAttributes;
  const touched = changes.find((change) => 'updated_at' in change)?.updated_at;
  assert.match(String(touched?.previous_value), ISO_TIME);
  assert.match(String(touched?.current_value), ISO_TIME);
  return changes.filter((change) => !('updated_at' in change));
}

test('labels: set replaces the whole list, reads back in order, and only a real change fires conversation_updated', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { client, conversation } = await driverConversation(sim);
  assert.deepEqual(await client.conversationLabels(conversation.id), []);
  assert.deepEqual(await client.setConversationLabels(conversation.id, ['onboarding', 'docs-pending']), ['onboarding', 'docs-pending']);
  assert.deepEqual(await client.conversationLabels(conversation.id), ['onboarding', 'docs-pending']);
  assert.deepEqual(await client.setConversationLabels(conversation.id, ['onboarding', 'docs-ok']), ['onboarding', 'docs-ok'], 'replaced, not merged');
  // Commas split, blanks and case-insensitive duplicates dropped: the same list, so no event.
  assert.deepEqual(await client.setConversationLabels(conversation.id, ['onboarding, docs-ok', ' Onboarding', '']), ['onboarding', 'docs-ok']);
  await sim.addLabels(conversation.id, ['urgent']);
  assert.deepEqual(await client.conversationLabels(conversation.id), ['onboarding', 'docs-ok', 'urgent']);
  assert.deepEqual(sim.labels(conversation.id), ['onboarding', 'docs-ok', 'urgent']);

  await sim.webhooksIdle();
  const updates = receiver.events('conversation_updated');
  assert.deepEqual(updates.map((body) => body.labels), [['onboarding', 'docs-pending'], ['onboarding', 'docs-ok'], ['onboarding', 'docs-ok', 'urgent']]);
  assert.deepEqual(changesBesidesUpdatedAt(updates[0]!), [
    { cached_label_list: { previous_value: null, current_value: 'onboarding, docs-pending' } },
    { label_list: { previous_value: [], current_value: ['onboarding', 'docs-pending'] } },
  ]);
  assert.deepEqual(changesBesidesUpdatedAt(updates[1]!), [
    { cached_label_list: { previous_value: 'onboarding, docs-pending', current_value: 'onboarding, docs-ok' } },
    { label_list: { previous_value: ['onboarding', 'docs-pending'], current_value: ['onboarding', 'docs-ok'] } },
  ]);
  const activity = sim.messages(conversation.id).filter((m) => m.messageType === 'activity').map((m) => m.content);
  assert.deepEqual(activity, [
    'Bridge Integration added onboarding, docs-pending',
    'Bridge Integration added docs-ok',
    'Bridge Integration removed docs-pending',
    'Ana (Suporte) added urgent',
  ]);
  await assertPermanent(client.conversationLabels(999_999), ErrorType.NotFound);
});

test('an agent taking the conversation in the UI fires conversation_updated with the assignee change and meta.assignee', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { conversation } = await driverConversation(sim);
  await sim.assign(conversation.id);
  await sim.assign(conversation.id); // already Ana's: nothing changes
  await sim.assign(conversation.id, { id: 9, name: 'Rita (Back-office)' });
  await sim.webhooksIdle();
  const updates = receiver.events('conversation_updated');
  assert.equal(updates.length, 2);
  assert.deepEqual(changesBesidesUpdatedAt(updates[0]!), [{ assignee_id: { previous_value: null, current_value: 2 } }]);
  assert.equal(Object.keys((updates[0]!.changed_attributes as ChangedAttributes)[0]!)[0], 'assignee_id', 'assignee_id comes before updated_at');
  const meta = updates[0]!.meta as Record<string, unknown>;
  assert.deepEqual(
    { assignee: meta.assignee, assigneeType: meta.assignee_type },
    {
      assignee: { id: 2, name: 'Ana (Suporte)', available_name: 'Ana (Suporte)', avatar_url: '', type: 'user', availability_status: 'online', thumbnail: '' },
      assigneeType: 'User',
    },
  );
  assert.deepEqual(changesBesidesUpdatedAt(updates[1]!), [{ assignee_id: { previous_value: 2, current_value: 9 } }]);
  assert.equal((updates[1]!.meta as { assignee: { name: string } }).assignee.name, 'Rita (Back-office)');
  assert.deepEqual(receiver.events('conversation_status_changed'), []);
  const activity = sim.messages(conversation.id).filter((m) => m.messageType === 'activity').map((m) => m.content);
  assert.deepEqual(activity, ['Ana (Suporte) self-assigned this conversation', 'Rita (Back-office) self-assigned this conversation']);
});

test('POST assignments answers the agent, and an id that is no user unassigns and answers null', async (t) => {
  const sim = await simulator(t);
  const receiver = await receiverFor(t, sim);
  const { contact, conversation } = await driverConversation(sim);
  const api = `${sim.url}/api/v1/accounts/${sim.accountId}`;
  const assign = (assigneeId: unknown) =>
    fetch(`${api}/conversations/${conversation.id}/assignments`, {
      method: 'POST',
      headers: { api_access_token: sim.apiToken, 'content-type': 'application/json' },
      body: JSON.stringify({ assignee_id: assigneeId }),
    });
  const assigned = await assign(2);
  assert.equal(assigned.status, 200);
  const agent = (await assigned.json()) as Record<string, unknown>;
  assert.deepEqual({ id: agent.id, name: agent.name, role: agent.role, email: agent.email }, { id: 2, name: 'Ana (Suporte)', role: 'agent', email: 'ana@example.test' });
  const listed = await fetch(`${api}/contacts/${contact.id}/conversations`, { headers: { api_access_token: sim.apiToken } });
  const [rest] = ((await listed.json()) as { payload: Array<{ meta: { assignee?: { id: number }; assignee_type?: string } }> }).payload;
  assert.deepEqual({ id: rest?.meta.assignee?.id, type: rest?.meta.assignee_type }, { id: 2, type: 'User' });
  const unassigned = await assign(4242);
  assert.deepEqual({ status: unassigned.status, body: await unassigned.text() }, { status: 200, body: 'null' });
  assert.equal(sim.conversations()[0]?.assigneeId, null);
  await sim.webhooksIdle();
  const changes = receiver.events('conversation_updated').map((body) => changesBesidesUpdatedAt(body));
  assert.deepEqual(changes, [[{ assignee_id: { previous_value: null, current_value: 2 } }], [{ assignee_id: { previous_value: 2, current_value: null } }]]);
  const activity = sim.messages(conversation.id).filter((m) => m.messageType === 'activity').map((m) => m.content);
  assert.deepEqual(activity, ['Assigned to Ana (Suporte) by Bridge Integration', 'Conversation unassigned by Bridge Integration']);
});

test("shows and updates a contact: the name replaced, custom attributes merged; an unknown one is null", async (t) => {
  const sim = await simulator(t);
  const client = clientFor(sim);
  const created = await client.createContact({ name: 'Rui', phoneE164: PHONE, identifier: WA_ID, sourceId: WA_ID, customAttributes: { whatsapp_name: 'Rui', city: 'Porto' } });
  assert.deepEqual((await client.contact(created.id))?.customAttributes, { whatsapp_name: 'Rui', city: 'Porto' });
  const updated = await client.updateContact(created.id, { name: 'Rui Almeida', customAttributes: { whatsapp_name: 'Rui Almeida' } });
  assert.deepEqual([updated.name, updated.customAttributes], ['Rui Almeida', { whatsapp_name: 'Rui Almeida', city: 'Porto' }]);
  assert.equal((await client.updateContact(created.id, { customAttributes: { whatsapp_name: 'R.' } })).name, 'Rui Almeida', 'no name sent, none changed');
  assert.equal(await client.contact(created.id + 1000), null);
});
