import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chatMediaKey } from '../../platform/storage/chat-media-key.ts';
import sharp from 'sharp';
import { gpsMarker, heicWithGps, makeJpeg, makePdf } from '../fixtures/documents.ts';
import { chatAtRest, chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { ffmpegMissing, makeRecording } from '../support/ffmpeg.ts';
import { describeChat, eventually, useTestSystem } from '../support/test-system.ts';

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
  const system = useTestSystem({ BRIDGE_MEDIA_MAX_MB: '1' }, { bridge: true });

  const chatwoot = () => system().chatwoot!;
  const incoming = (phone: string) => chatwootView(system()).incoming(phone);
  const conversationIdOf = (phone: string) => chatwootView(system()).conversationIdOf(phone);

  it('attaches the full photo with its caption when the webhook carries the file', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const photo = await makeJpeg({ width: 800, height: 600 });
    const { id } = await sut.wpp.receive({ from: phone, type: 'image', media: { bytes: photo, mimetype: 'image/jpeg' }, caption: 'Encomenda entregue' });
    const message = await waitForIncoming(sut, phone, 'Encomenda entregue');
    assert.equal(message.attachments.length, 1);
    assert.equal(message.attachments[0]!.fileType, 'image');
    assert.equal(sha256(message.attachments[0]!.bytes), sha256(photo), 'the full file, not a thumbnail');
    const ownCopy = path.join(sut.storageDir, chatMediaKey(sut.system.personal, `${phone}@c.us`, id));
    assert.ok((await sut.storedFiles()).includes(ownCopy), 'a copy of this photo kept in document storage');
  });

  it('keeps and passes on a photo without its GPS position or other metadata, turned upright, at its own size', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const photo = await makeJpeg({ width: 640, height: 400, exifOrientation: 6, withGps: true });
    assert.ok(photo.includes(gpsMarker), 'the fixture carries GPS');
    const { id } = await sut.wpp.receive({ from: phone, type: 'image', media: { bytes: photo, mimetype: 'image/jpeg' }, caption: 'Onde estou' });
    const message = await waitForIncoming(sut, phone, 'Onde estou');
    const attached = message.attachments[0]!.bytes;
    const meta = await sharp(attached).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.exif, meta.xmp], ['jpeg', 400, 640, undefined, undefined], 'upright, full size, no EXIF or XMP');
    assert.equal(attached.includes(gpsMarker), false);
    const kept = await sut.system.storage.get(chatMediaKey(sut.system.personal, `${phone}@c.us`, id));
    assert.deepEqual(kept.bytes, attached, 'the kept copy is the one passed on');
  });

  it('passes on an iPhone HEIC photo as a JPEG without its GPS position, and keeps that', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const heic = heicWithGps();
    const { id } = await sut.wpp.receive({ from: phone, type: 'image', media: { bytes: heic, mimetype: 'image/heic' }, caption: 'Foto do iPhone' });
    const message = await waitForIncoming(sut, phone, 'Foto do iPhone');
    const attached = message.attachments[0]!.bytes;
    const meta = await sharp(attached).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.exif], ['jpeg', 64, 48, undefined], 'a JPEG every browser shows, no EXIF');
    assert.equal(attached.includes(gpsMarker), false);
    const kept = await sut.system.storage.get(chatMediaKey(sut.system.personal, `${phone}@c.us`, id));
    assert.deepEqual([kept.contentType, kept.bytes], ['image/jpeg', attached], 'the kept copy is the one passed on');
  });

  it('downloads the file through WPPConnect when the webhook carries only a preview', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const pdf = await makePdf({ pages: 2 });
    sut.wpp.setAutoDownload(false);
    try {
      await sut.wpp.receive({ from: phone, type: 'document', media: { bytes: pdf, mimetype: 'application/pdf', filename: 'guia.pdf' } });
    } finally {
      sut.wpp.setAutoDownload(true);
    }
    const [message] = await eventually(async () => (incoming(phone).length > 0 ? incoming(phone) : undefined), 15_000);
    assert.equal(message!.attachments[0]!.filename, 'guia.pdf');
    assert.equal(sha256(message!.attachments[0]!.bytes), sha256(pdf));
  });

  it('marks a voice note as one, also when it has to be downloaded, and turns a file over the limit into a private note', async () => {
    const sut = system();
    const phone = newDriverPhone();
    sut.wpp.setAutoDownload(false);
    try {
      // Each handed off before the next (same second: only arrival orders them).
      await (await sut.wpp.receive({ from: phone, type: 'ptt', media: { bytes: oggVoiceNote(), mimetype: 'audio/ogg; codecs=opus' } })).delivered;
    } finally {
      sut.wpp.setAutoDownload(true);
    }
    await (await sut.wpp.receive({ from: phone, type: 'ptt', media: { bytes: oggVoiceNote(), mimetype: 'audio/ogg; codecs=opus' } })).delivered;
    await sut.wpp.receive({ from: phone, type: 'video', media: { bytes: Buffer.alloc(1_500_000, 1), mimetype: 'video/mp4' } });
    await eventually(async () => (incoming(phone).length === 3 ? true : undefined), 15_000);
    const [downloaded, voice, video] = incoming(phone);
    for (const note of [downloaded!, voice!]) {
      assert.equal(note.isVoiceMessage, true);
      assert.equal(note.attachments[0]!.fileType, 'audio');
    }
    assert.equal(video!.attachments.length, 0);
    // The note follows the message it is about, in the same relay: once the chat is at rest, it is there.
    await chatAtRest(sut, phone);
    const notes = chatwoot().messages(conversationIdOf(phone)).filter((message) => message.private);
    assert.equal(notes.length, 1, 'the private note about the video');
    assert.match(notes[0]!.content ?? '', /acima do limite de 1 MB; não foi anexado/);
  });

  it("sends an agent's photo, document and audio with the right WPPConnect endpoint", async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Pode mandar o comprovativo?' });
    await waitForIncoming(sut, phone, 'Pode mandar o comprovativo?');
    const photo = await makeJpeg({ width: 320, height: 240 });
    const pdf = await makePdf({ pages: 1 });
    await chatwoot().agentReply(conversationIdOf(phone), {
      content: 'Aqui estão os documentos',
      attachments: [
        { filename: 'rota.jpg', contentType: 'image/jpeg', bytes: photo },
        { filename: 'fatura.pdf', contentType: 'application/pdf', bytes: pdf },
        // A real recording where ffmpeg is (the bridge re-encodes it, and refuses what is no audio); as it came where it is not.
        { filename: 'nota.webm', contentType: 'audio/webm', bytes: ffmpegMissing() === undefined ? await makeRecording(1, 'webm') : oggVoiceNote() },
      ],
    });
    const sentTo = () => sut.wpp.sent.filter((message) => message.phone === phone);
    await eventually(async () => (sentTo().length >= 3 ? true : undefined), 15_000, 'three media messages').catch(async (error: unknown) => {
      console.log('Chat diagnostics:', await describeChat(sut, `${phone}@c.us`));
      throw error;
    });
    await sut.chatwoot!.webhooksIdle();
    await chatAtRest(sut, phone);
    const sent = sentTo();
    assert.deepEqual(sent.map((message) => message.type), ['image', 'document', 'ptt']);
    assert.equal(sent[0]!.caption, 'Aqui estão os documentos');
    assert.equal(sent[0]!.sha256, sha256(photo));
    assert.equal(sent[1]!.sha256, sha256(pdf));
  });
});
