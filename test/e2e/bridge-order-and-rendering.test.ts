import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatAtRest, chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

/** An ELF header (what `file` calls an executable), padded. */
const elfExecutable = () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4096, 0)]);
/** A DOS/Windows executable ("MZ"), padded. */
const windowsExecutable = () => Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(4096, 0x90)]);

describe('WhatsApp ↔ Chatwoot bridge: order by WhatsApp time, readable locations and contacts, executables, read receipts', () => {
  let sut: TestSystem;
  // WhatsApp's clock, which stamps the driver's messages; a test may move it.
  let clockOffsetMs = 0;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true, whatsappClock: () => new Date(Date.now() + clockOffsetMs) });
  });
  after(async () => sut.stop());

  const chatwoot = () => sut.chatwoot!;
  const view = () => chatwootView(sut);

  async function driverSays(phone: string, text: string): Promise<number> {
    await sut.wpp.receive({ from: phone, body: text });
    await eventually(async () => (view().incomingTexts(phone).includes(text) ? true : undefined), 15_000, `"${text}" in Chatwoot`);
    return view().conversationIdOf(phone);
  }

  it("posts messages whose webhooks arrive out of order into Chatwoot in WhatsApp's timestamp order", async () => {
    const phone = newDriverPhone();
    await driverSays(phone, 'antes');
    // Chatwoot stores each message at once but answers 4 s later: the chat is still relaying "zero"
    // (inside its workflow task) when the next two webhooks arrive.
    const messagePostsAnswered = () => chatwoot().requests.filter((request) => request.method === 'POST' && request.route.endsWith('/messages')).length;
    const answeredBefore = messagePostsAnswered();
    chatwoot().faults.delayMs = 4000;
    try {
      await sut.wpp.receive({ from: phone, body: 'zero' });
      await eventually(async () => (view().incomingTexts(phone).includes('zero') ? true : undefined), 10_000, 'the relay of "zero" under way');
      // The later message's webhook arrives first: WhatsApp stamped it 20 s after the other one.
      clockOffsetMs = 20_000;
      await (await sut.wpp.receive({ from: phone, body: 'segunda' })).delivered;
      clockOffsetMs = 0;
      await (await sut.wpp.receive({ from: phone, body: 'primeira' })).delivered;
      assert.equal(messagePostsAnswered(), answeredBefore, 'both webhooks were answered while "zero" was still being relayed');
    } finally {
      clockOffsetMs = 0;
      chatwoot().faults.delayMs = 0;
    }
    await eventually(async () => (view().incomingTexts(phone).length === 4 ? true : undefined), 30_000, 'all four messages in Chatwoot');
    assert.deepEqual(view().incomingTexts(phone), ['antes', 'zero', 'primeira', 'segunda']);
  });

  it('turns a location into a readable line with a maps link, and a contact card into its name and phones', async () => {
    const phone = newDriverPhone();
    // Each handed off before the next (WhatsApp stamps them in the same second, so only arrival orders them).
    await (await sut.wpp.receive({ from: phone, type: 'location', location: { lat: 41.1336, lng: -8.6174, name: 'Armazém de Gaia' } })).delivered;
    await (await sut.wpp.receive({ from: phone, type: 'location', location: { lat: 38.7223, lng: -9.1393 } })).delivered;
    const vcard = [
      'BEGIN:VCARD', 'VERSION:3.0', 'N:Silva;Maria;;;', 'FN:Maria Silva',
      'TEL;type=CELL;type=VOICE;waid=351912000111:+351 912 000 111', 'TEL;type=WORK:+351 220 000 222', 'END:VCARD',
    ].join('\n');
    await sut.wpp.receive({ from: phone, type: 'vcard', body: vcard });
    await eventually(async () => (view().incoming(phone).length === 3 ? true : undefined), 15_000, 'the three messages in Chatwoot');
    const [place, bare, card] = view().incoming(phone);
    assert.equal(place!.content, '📍 Localização: Armazém de Gaia — https://maps.google.com/?q=41.1336,-8.6174');
    assert.equal(bare!.content, '📍 Localização: https://maps.google.com/?q=38.7223,-9.1393');
    assert.equal(card!.content, '📇 Contacto: Maria Silva (+351 912 000 111, +351 220 000 222)');
    assert.ok([place, bare, card].every((message) => message!.attachments.length === 0));
  });

  it('makes every kind of message readable: a list or button choice, a poll, one deleted before it came, one of a kind without text; and waits for one WhatsApp has yet to decrypt', async () => {
    const phone = newDriverPhone();
    for (const input of [
      { type: 'list_response', body: 'Turno da manhã' },
      { type: 'buttons_response', body: 'Sim, quero continuar' },
      { type: 'poll_creation', body: 'Que dia prefere?' },
      { type: 'revoked' },
      { type: 'ciphertext' },
      { type: 'chat', body: 'e agora texto' },
    ] as const) await (await sut.wpp.receive({ from: phone, ...input })).delivered;
    await eventually(async () => (view().incomingTexts(phone).includes('e agora texto') ? true : undefined), 15_000, 'the messages in Chatwoot');
    await chatAtRest(sut, phone);
    assert.deepEqual(view().incomingTexts(phone), [
      '↩️ Escolheu: Turno da manhã',
      '↩️ Escolheu: Sim, quero continuar',
      '📊 Sondagem: Que dia prefere? (as opções e os votos só se veem no WhatsApp)',
      '🚫 O motorista apagou esta mensagem antes de ela chegar aqui.',
      'e agora texto',
    ], 'the undecrypted one is left for polling to bring once it reads');
  });

  it('never attaches an executable, whatever it is called: the agent gets a private note instead', async () => {
    const phone = newDriverPhone();
    // Handed off before the next (same second: only arrival orders them).
    await (await sut.wpp.receive({ from: phone, type: 'document', media: { bytes: elfExecutable(), mimetype: 'application/pdf', filename: 'fatura.pdf' } })).delivered;
    await sut.wpp.receive({ from: phone, type: 'document', media: { bytes: windowsExecutable(), mimetype: 'application/octet-stream', filename: 'guia.exe' }, caption: 'veja isto' });
    await eventually(async () => (view().incoming(phone).length === 2 ? true : undefined), 15_000, 'both messages in Chatwoot');
    const conversationId = view().conversationIdOf(phone);
    const notes = await eventually(async () => {
      const found = chatwoot().messages(conversationId).filter((message) => message.private);
      return found.length === 2 ? found : undefined;
    }, 15_000, 'a private note for each file');
    assert.match(notes[0]!.content ?? '', /ficheiro executável \(application\/x-elf\); por segurança não foi anexado/);
    assert.match(notes[1]!.content ?? '', /ficheiro executável \(application\/x-msdownload\); por segurança não foi anexado/);
    const [elf, exe] = view().incoming(phone);
    assert.equal(elf!.content, '[document]', 'the message itself says what was sent');
    assert.equal(exe!.content, 'veja isto');
    assert.deepEqual(chatwoot().messages(conversationId).flatMap((message) => message.attachments), [], 'no attachment anywhere in the conversation');
  });

  it("marks an agent's reply delivered, then read once the driver reads it on WhatsApp", async () => {
    const phone = newDriverPhone();
    const conversationId = await driverSays(phone, 'Bom dia');
    const { messageId } = await chatwoot().agentReply(conversationId, { content: 'Bom dia! A entrega fica para amanhã.' });
    const sent = await eventually(async () => sut.wpp.sent.find((message) => message.phone === phone), 15_000, 'the reply on WhatsApp');
    const statusOf = () => chatwoot().messages(conversationId).find((message) => message.id === messageId)?.status;
    await eventually(async () => (statusOf() === 'delivered' ? true : undefined), 15_000, 'the delivered status');
    await sut.wpp.markRead(sent.id);
    await eventually(async () => (statusOf() === 'read' ? true : undefined), 15_000, 'the read status');
  });
});
