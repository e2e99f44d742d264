import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { makeJpeg, makePdf } from '../fixtures/documents.ts';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { describeChat, eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** The first Ogg page of an Opus stream (what WhatsApp voice notes are), padded: enough for type sniffing. */
function oggVoiceNote(): Buffer {
  const page = Buffer.alloc(28);
  page.write('OggS', 0, 'latin1');
  page[5] = 2; // beginning of stream
  page[26] = 1; // one segment …
  page[27] = 19; // … holding the 19-byte OpusHead
  return Buffer.concat([page, Buffer.from('OpusHead', 'latin1'), Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]), Buffer.alloc(2048, 7)]);
}

describe('WhatsApp ↔ Chatwoot bridge: media', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_MEDIA_MAX_MB: '1' }, { bridge: true });
  });
  after(async () => sut.stop());

  const chatwoot = () => sut.chatwoot!;
  const incoming = (phone: string) => chatwootView(sut).incoming(phone);
  const conversationIdOf = (phone: string) => chatwootView(sut).conversationIdOf(phone);

  it('attaches the full photo with its caption when the webhook carries the file', async () => {
    const phone = newDriverPhone();
    const photo = await makeJpeg({ width: 800, height: 600 });
    await sut.wpp.receive({ from: phone, type: 'image', media: { bytes: photo, mimetype: 'image/jpeg' }, caption: 'Encomenda entregue' });
    const [message] = await eventually(async () => (incoming(phone).length > 0 ? incoming(phone) : undefined), 15_000);
    assert.equal(message!.content, 'Encomenda entregue');
    assert.equal(message!.attachments.length, 1);
    assert.equal(message!.attachments[0]!.fileType, 'image');
    assert.equal(sha256(message!.attachments[0]!.bytes), sha256(photo), 'the full file, not a thumbnail');
    const stored = (await sut.storedFiles()).filter((file) => file.includes('/media/') && !file.endsWith('.json'));
    assert.ok(stored.length >= 1, 'a copy kept in document storage');
  });

  it('downloads the file through WPPConnect when the webhook carries only a preview', async () => {
    const phone = newDriverPhone();
    sut.wpp.setAutoDownload(false);
    try {
      const pdf = await makePdf({ pages: 2 });
      await sut.wpp.receive({ from: phone, type: 'document', media: { bytes: pdf, mimetype: 'application/pdf', filename: 'guia.pdf' } });
      const [message] = await eventually(async () => (incoming(phone).length > 0 ? incoming(phone) : undefined), 15_000);
      assert.equal(message!.attachments[0]!.filename, 'guia.pdf');
      assert.equal(sha256(message!.attachments[0]!.bytes), sha256(pdf));
    } finally {
      sut.wpp.setAutoDownload(true);
    }
  });

  it('marks a voice note as one, also when it has to be downloaded, and turns a file over the limit into a private note', async () => {
    const phone = newDriverPhone();
    sut.wpp.setAutoDownload(false);
    await sut.wpp.receive({ from: phone, type: 'ptt', media: { bytes: oggVoiceNote(), mimetype: 'audio/ogg; codecs=opus' } });
    sut.wpp.setAutoDownload(true);
    await sut.wpp.receive({ from: phone, type: 'ptt', media: { bytes: oggVoiceNote(), mimetype: 'audio/ogg; codecs=opus' } });
    await sut.wpp.receive({ from: phone, type: 'video', media: { bytes: Buffer.alloc(1_500_000, 1), mimetype: 'video/mp4' } });
    await eventually(async () => (incoming(phone).length === 3 ? true : undefined), 15_000);
    const [downloaded, voice, video] = incoming(phone);
    for (const note of [downloaded!, voice!]) {
      assert.equal(note.isVoiceMessage, true);
      assert.equal(note.attachments[0]!.fileType, 'audio');
    }
    assert.equal(video!.attachments.length, 0);
    // The note follows the message it is about, so it may land a moment after the third message.
    const notes = await eventually(async () => {
      const privateNotes = chatwoot().messages(conversationIdOf(phone)).filter((message) => message.private);
      return privateNotes.length > 0 ? privateNotes : undefined;
    }, 15_000, 'the private note about the video');
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.content ?? '', /acima do limite de 1 MB; não foi anexado/);
  });

  it("sends an agent's photo, document and audio with the right WPPConnect endpoint", async () => {
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Pode mandar o comprovativo?' });
    await eventually(async () => (incoming(phone).length > 0 ? true : undefined), 15_000);
    const photo = await makeJpeg({ width: 320, height: 240 });
    const pdf = await makePdf({ pages: 1 });
    await chatwoot().agentReply(conversationIdOf(phone), {
      content: 'Aqui estão os documentos',
      attachments: [
        { filename: 'rota.jpg', contentType: 'image/jpeg', bytes: photo },
        { filename: 'fatura.pdf', contentType: 'application/pdf', bytes: pdf },
        { filename: 'nota.ogg', contentType: 'audio/ogg', bytes: oggVoiceNote() },
      ],
    });
    const sent = await eventually(async () => {
      const mine = sut.wpp.sent.filter((message) => message.phone === phone);
      return mine.length === 3 ? mine : undefined;
    }, 15_000, 'three media messages').catch(async (error: unknown) => {
      console.log('Chat diagnostics:', await describeChat(sut, `${phone}@c.us`));
      throw error;
    });
    assert.deepEqual(sent.map((message) => message.type), ['image', 'document', 'ptt']);
    assert.equal(sent[0]!.caption, 'Aqui estão os documentos');
    assert.equal(sent[0]!.sha256, sha256(photo));
    assert.equal(sent[1]!.sha256, sha256(pdf));
  });
});
