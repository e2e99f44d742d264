import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSandboxConsole, type InboxConversationView, type SandboxConsole, type WhatsAppMessageView } from '../../scripts/sandbox-console.ts';
import { newDriverPhone, webhooksAnswered } from '../support/bridge-views.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

describe('Bridge sandbox console (npm start with both simulators)', () => {
  let sandbox: SandboxConsole;
  const system = useTestSystem({}, { bridge: true }, {
    started: async (sut) => {
      sandbox = await startSandboxConsole({ wpp: sut.wpp, chatwoot: sut.chatwoot! });
    },
    stopping: () => sandbox.close(),
  });

  async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${sandbox.url}${route}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const inbox = async () => (await call('GET', '/chatwoot')).body.conversations as InboxConversationView[];
  const conversationOf = async (phone: string) => (await inbox()).find((conversation) => conversation.contact?.phone === `+${phone}`);
  const receivedBy = async (phone: string) => (await call('GET', `/whatsapp/+${phone}`)).body.received as WhatsAppMessageView[];

  async function driverSays(phone: string, text: string): Promise<InboxConversationView> {
    const answer = await call('POST', '/driver-says', { phone: `+${phone}`, text, name: 'Rui' });
    assert.equal(answer.status, 202);
    return eventually(async () => {
      const conversation = await conversationOf(phone);
      return conversation?.messages.some((message) => message.type === 'incoming' && message.text === text) ? conversation : undefined;
    }, 15_000, `"${text}" in GET /chatwoot`);
  }

  it('relays what the driver says into the Chatwoot inbox, as GET /chatwoot shows it', async () => {
    const phone = newDriverPhone();
    const conversation = await driverSays(phone, 'Olá, tenho uma entrega para amanhã');
    assert.deepEqual(conversation.contact, { name: 'Rui', phone: `+${phone}` });
    const incoming = conversation.messages.filter((message) => message.type === 'incoming');
    assert.deepEqual(incoming.map((message) => [message.from, message.text]), [['Rui', 'Olá, tenho uma entrega para amanhã']]);
  });

  it('sends what the agent says to the driver, as GET /whatsapp shows it', async () => {
    const phone = newDriverPhone();
    const conversation = await driverSays(phone, 'Bom dia');
    const answer = await call('POST', '/agent-says', { conversationId: conversation.id, text: 'Bom dia! Em que posso ajudar?' });
    assert.equal(answer.status, 202);
    const received = await eventually(async () => {
      const messages = await receivedBy(phone);
      return messages.length > 0 ? messages : undefined;
    }, 15_000, 'the reply in GET /whatsapp');
    assert.deepEqual(received.map((message) => [message.type, message.text]), [['chat', 'Bom dia! Em que posso ajudar?']]);
  });

  it('sends a sample photo or PDF from the driver, as the registration bot asks for them', async () => {
    const phone = newDriverPhone();
    await driverSays(phone, 'Vou enviar um documento');
    for (const file of ['photo', 'pdf'] as const) assert.equal((await call('POST', '/driver-sends', { phone: `+${phone}`, file })).status, 202);
    const attachments = await eventually(async () => {
      const incoming = (await conversationOf(phone))?.messages.filter((message) => message.type === 'incoming' && message.attachments.length > 0) ?? [];
      return incoming.length === 2 ? incoming.flatMap((message) => message.attachments) : undefined;
    }, 15_000, 'both files in GET /chatwoot');
    // Sent within the same second: WhatsApp's timestamps give them no order, so none is asserted.
    assert.equal(attachments.filter((name) => /\.jpe?g$/.test(name)).length, 1, attachments.join(', '));
    assert.ok(attachments.includes('comprovativo-morada.pdf'), attachments.join(', '));
  });

  it('refuses a bad body with 400 in English, and sends nothing', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const conversation = await driverSays(phone, 'Uma pergunta');
    // Counted from here: earlier tests' messages do not matter, only what these requests would add.
    const sentBefore = sut.wpp.sent.length;
    const driverMessages = () => sut.wpp.webhookDeliveries.filter((delivery) => delivery.event === 'onmessage').length;
    const driverMessagesBefore = driverMessages();
    const messagesBefore = sut.chatwoot!.messages(conversation.id).length;

    const refusals = [
      ['/driver-says', { phone: `+${phone}` }, 'text'],
      ['/driver-says', { phone: 'o meu número', text: 'Olá' }, 'phone'],
      ['/driver-says', { phone: `+${phone}`, text: '   ' }, 'text'],
      ['/agent-says', { conversationId: String(conversation.id), text: 'Olá' }, 'conversationId'],
      ['/agent-says', { conversationId: conversation.id, text: '' }, 'text'],
      ['/driver-sends', { phone: `+${phone}`, file: 'exe' }, 'file'],
      ['/driver-uploads', { phone: `+${phone}`, filename: 'foto.jpg', data: 'não é base64' }, 'data'],
      ['/driver-uploads', { phone: `+${phone}`, filename: 'foto.jpg', data: '' }, 'data'],
      ['/driver-uploads', { phone: `+${phone}`, filename: '../../etc/passwd', data: 'aGVsbG8=' }, 'filename'],
      ['/agent-says', { conversationId: conversation.id, text: 'Olá', private: 'yes' }, 'private'],
      ['/agent-labels', { conversationId: conversation.id, labels: ['com espaço'] }, 'labels/0'],
      ['/agent-labels', { conversationId: conversation.id, labels: [] }, 'labels'],
    ] as const;
    for (const [route, body, field] of refusals) {
      const answer = await call('POST', route, body);
      assert.equal(answer.status, 400, `${route} ${JSON.stringify(body)}`);
      assert.equal(answer.body.error, 'Invalid request');
      assert.ok(field in (answer.body.fields as Record<string, string>), `${route} names ${field}: ${JSON.stringify(answer.body)}`);
    }
    for (const [route, body] of [
      ['/agent-says', { conversationId: 999_999, text: 'Olá' }],
      ['/agent-labels', { conversationId: 999_999, labels: ['documentos'] }],
      ['/agent-assigns', { conversationId: 999_999 }],
      ['/agent-resolves', { conversationId: 999_999 }],
    ] as const) {
      const unknown = await call('POST', route, body);
      assert.equal(unknown.status, 404, route);
      assert.match(String(unknown.body.error), /No conversation 999999/);
    }

    await webhooksAnswered(sut);
    assert.equal(sut.wpp.sent.length, sentBefore, 'nothing sent to WhatsApp');
    assert.equal(driverMessages(), driverMessagesBefore, 'no driver message made up');
    assert.equal(sut.chatwoot!.messages(conversation.id).length, messagesBefore, 'nothing posted in Chatwoot');
  });
});
