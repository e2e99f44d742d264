import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVoiceNotes } from '../../platform/media/voice-notes.ts';
import { chatAtRest, chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { ffmpegMissing, ffmpegPath, makeRecording, probe } from '../support/ffmpeg.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

/**
 * Voice notes that play: an agent's recording, in whatever container the browser made, reaches
 * WhatsApp as a voice note in Opus/OGG (what a phone plays as one); a driver's reaches Chatwoot as
 * a voice message. Decoded with ffprobe, not trusted by name.
 */
describe('WhatsApp ↔ Chatwoot bridge: voice notes', { skip: ffmpegMissing() }, () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', FFMPEG_PATH: ffmpegPath() }, { bridge: true });
  });
  after(async () => sut?.stop());

  const sentTo = (phone: string) => sut.wpp.sent.filter((message) => message.phone === phone);

  /** A driver's chat with its conversation in Chatwoot. */
  async function conversationOf(phone: string): Promise<number> {
    await sut.wpp.receive({ from: phone, body: 'Pode mandar-me um áudio?' });
    await waitForIncoming(sut, phone, 'Pode mandar-me um áudio?');
    return chatwootView(sut).conversationIdOf(phone);
  }

  for (const [format, contentType, browser] of [['webm', 'audio/webm', 'Chrome or Firefox'], ['mp4', 'audio/mp4', 'Safari']] as const) {
    it(`sends an agent's recording from ${browser} (${contentType}) as a voice note in Opus/OGG of the same length`, async () => {
      const phone = newDriverPhone();
      const conversationId = await conversationOf(phone);
      await sut.chatwoot!.agentReply(conversationId, { attachments: [{ filename: `gravacao.${format}`, contentType, bytes: await makeRecording(3, format) }] });
      const [sent] = await eventually(async () => (sentTo(phone).length > 0 ? sentTo(phone) : undefined), 20_000, 'the voice note on WhatsApp');
      assert.equal(sent!.type, 'ptt', 'sent as a voice note');
      assert.equal(sent!.mimetype, 'audio/ogg');
      const heard = await probe(sut.wpp.sentMedia(sent!.id)!.bytes);
      assert.deepEqual([heard.container, heard.codec, heard.channels, heard.sampleRate], ['ogg', 'opus', 1, 48_000]);
      assert.ok(Math.abs(heard.seconds - 3) < 0.1, `3 s long, got ${heard.seconds} s`);
      await chatAtRest(sut, phone);
      assert.equal(sentTo(phone).length, 1, 'sent once');
    });
  }

  it('refuses a "recording" that is no audio: the reply is marked failed with a note saying why, nothing is sent', async () => {
    const phone = newDriverPhone();
    const conversationId = await conversationOf(phone);
    const { messageId } = await sut.chatwoot!.agentReply(conversationId, { attachments: [{ filename: 'gravacao.webm', contentType: 'audio/webm', bytes: Buffer.from('not a recording at all') }] });
    const failed = await eventually(async () => sut.chatwoot!.messages(conversationId).find((message) => message.id === messageId && message.status === 'failed'), 20_000, 'the reply marked failed');
    assert.match(failed.externalError ?? '', /could not be read as audio/);
    await chatAtRest(sut, phone);
    assert.deepEqual(sentTo(phone), []);
    assert.ok(sut.chatwoot!.messages(conversationId).some((message) => message.private && /não chegou ao WhatsApp/.test(message.content ?? '')));
  });

  it("puts a driver's voice note in Chatwoot as a voice message, Opus/OGG as WhatsApp recorded it", async () => {
    const phone = newDriverPhone();
    // WhatsApp's own kind: Opus in OGG (made here the way the bridge makes one).
    const voice = (await createVoiceNotes({ ffmpegPath: ffmpegPath() }).toVoiceNote(await makeRecording(2, 'mp3')))!;
    await sut.wpp.receive({ from: phone, type: 'ptt', media: { bytes: voice, mimetype: 'audio/ogg; codecs=opus' } });
    const posted = await eventually(async () => chatwootView(sut).incoming(phone).find((message) => message.attachments.length === 1), 20_000, 'the voice note in Chatwoot');
    assert.equal(posted.isVoiceMessage, true);
    assert.equal(posted.attachments[0]!.fileType, 'audio');
    const heard = await probe(posted.attachments[0]!.bytes);
    assert.deepEqual([heard.container, heard.codec], ['ogg', 'opus']);
    assert.ok(Math.abs(heard.seconds - 2) < 0.1, `2 s long, got ${heard.seconds} s`);
  });
});
