import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signChatwootWebhook } from '../../integrations/chatwoot/signature.ts';
import { chatAtRest, chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { useInternalServers } from '../support/recording-server.ts';
import { eventually, useTestSystem, type TestSystem } from '../support/test-system.ts';

/**
 * Attachment addresses come from Chatwoot's webhook: a forged one (a leaked webhook secret, or
 * Chatwoot without signatures) must not make the bridge read an internal address and send it on
 * WhatsApp. The "internal" server listens on this machine and is named `localhost`, a host no
 * setting allows; Chatwoot (the simulator) is 127.0.0.1.
 */
describe('agents’ attachments only from allowed hosts (CHATWOOT_URL’s and BRIDGE_MEDIA_ALLOWED_HOSTS)', () => {
  const system = useTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true });
  const servers = useInternalServers();

  /** An agent's reply that exists in Chatwoot, and a signed webhook of it whose attachment points at `dataUrl`. */
  async function forgedReplyWithAttachment(sut: TestSystem, phone: string, dataUrl: string) {
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    await waitForIncoming(sut, phone, 'Olá');
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    // The genuine webhook of the reply goes unsigned and is refused: only the forged one below gets in.
    sut.chatwoot!.signWebhooks = false;
    let messageId: number;
    try {
      ({ messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Segue o documento' }));
      await sut.chatwoot!.webhooksIdle();
    } finally {
      sut.chatwoot!.signWebhooks = true;
    }
    const payload = {
      event: 'message_created', id: messageId, content: 'Segue o documento', message_type: 'outgoing', private: false, source_id: null,
      inbox: { id: sut.chatwoot!.inboxId },
      attachments: [{ data_url: dataUrl, file_type: 'file', content_type: 'text/plain', file_size: 40 }],
      conversation: { id: conversationId, contact_inbox: { source_id: `${phone}@c.us` } },
    };
    const body = JSON.stringify(payload);
    const response = await fetch(`${sut.system.apiUrl}/webhooks/chatwoot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signChatwootWebhook(sut.chatwoot!.webhookSecret, body, Math.floor(Date.now() / 1000)) },
      body,
    });
    assert.equal(response.status, 200);
    await chatAtRest(sut, phone, 'the forged reply handled');
    return { conversationId, messageId };
  }

  /** Nothing on WhatsApp, the reply marked failed, and a private note telling the agent why. */
  async function assertRefusedWithNote(sut: TestSystem, phone: string, conversationId: number, messageId: number) {
    assert.deepEqual(sut.wpp.sent.filter((message) => message.phone === phone), [], 'nothing sent on WhatsApp');
    const messages = () => sut.chatwoot!.messages(conversationId);
    assert.equal(messages().find((message) => message.id === messageId)?.status, 'failed');
    const note = await eventually(async () => messages().find((message) => message.private && /não chegou/.test(message.content ?? '')), 5_000, 'the note');
    assert.match(note.content ?? '', /not an allowed source/);
  }

  it('fetches nothing from an internal address a forged attachment names, sends nothing, and tells the agent', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const before = servers.internal().requests.length;
    const { conversationId, messageId } = await forgedReplyWithAttachment(sut, phone, `http://localhost:${servers.internal().port}/admin/secret.txt`);
    assert.equal(servers.internal().requests.length, before, 'the internal server was never asked');
    await assertRefusedWithNote(sut, phone, conversationId, messageId);
  });

  it('refuses a redirect from an allowed host to one that is not allowed', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const [internalBefore, redirectorBefore] = [servers.internal().requests.length, servers.redirector().requests.length];
    const { conversationId, messageId } = await forgedReplyWithAttachment(sut, phone, `http://127.0.0.1:${servers.redirector().port}/rails/active_storage/blobs/redirect/x/doc.txt`);
    assert.equal(servers.redirector().requests.length, redirectorBefore + 1, 'the allowed host was asked once');
    assert.equal(servers.internal().requests.length, internalBefore, 'its redirect was not followed');
    await assertRefusedWithNote(sut, phone, conversationId, messageId);
  });
});
