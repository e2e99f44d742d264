import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVoiceNotes, NotAudioError } from '../../platform/media/voice-notes.ts';
import { ffmpegMissing, ffmpegPath, makeRecording, probe } from '../support/ffmpeg.ts';

describe('voice notes with ffmpeg', { skip: ffmpegMissing() }, () => {
  it('turns WebM, MP4 and MP3 recordings into Opus/OGG, mono 48 kHz, of the same length, the same bytes each time', async () => {
    const voiceNotes = createVoiceNotes({ ffmpegPath: ffmpegPath() });
    for (const format of ['webm', 'mp4', 'mp3'] as const) {
      const recording = await makeRecording(1.5, format);
      const voice = (await voiceNotes.toVoiceNote(recording))!;
      const heard = await probe(voice);
      assert.deepEqual([heard.container, heard.codec, heard.channels, heard.sampleRate], ['ogg', 'opus', 1, 48_000], format);
      assert.ok(Math.abs(heard.seconds - 1.5) < 0.1, `${format}: ${heard.seconds} s`);
      assert.ok(voice.equals((await voiceNotes.toVoiceNote(recording))!), `${format}: bit-exact, so a retry recognises its earlier send`);
    }
  });

  it('refuses what is not audio, and says once that ffmpeg is missing (then gives nothing, so the original goes)', async () => {
    await assert.rejects(createVoiceNotes({ ffmpegPath: ffmpegPath() }).toVoiceNote(Buffer.from('no audio here')), NotAudioError);
    const warnings: string[] = [];
    const without = createVoiceNotes({ ffmpegPath: '/nonexistent/ffmpeg', warn: (message) => void warnings.push(message) });
    assert.equal(await without.toVoiceNote(Buffer.from('x')), null);
    assert.equal(await without.toVoiceNote(Buffer.from('x')), null);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /not installed/);
  });
});
