/**
 * Voice notes that play on a phone: WhatsApp plays a voice note (PTT) only as Opus in an OGG file,
 * and an agent's recording from Chatwoot comes in whatever its browser recorded (WebM/Opus from
 * Chrome and Firefox, MP4/AAC from Safari, sometimes MP3 or WAV uploaded by hand). ffmpeg (Debian's
 * package; the Dockerfile installs it) re-encodes it: mono, 48 kHz, Opus at 32 kbit/s for speech,
 * no metadata, bit-exact, so the same recording always gives the same bytes (a retry that looks
 * for an earlier send compares sizes). The input goes through a private temporary file, not a pipe:
 * MP4 keeps its index at the end, which ffmpeg must seek to.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const voiceNoteType = 'audio/ogg';

export interface VoiceNotes {
  /** The recording as Opus in OGG; null when ffmpeg is not installed (the caller sends the original). */
  toVoiceNote(bytes: Buffer): Promise<Buffer | null>;
}

export interface VoiceNoteOptions {
  /** FFMPEG_PATH: a path, or a name looked up on the PATH. */
  ffmpegPath: string;
  timeoutMs?: number;
  /** Said once, the first time ffmpeg is missing. */
  warn?: (message: string) => void;
}

/** A recording ffmpeg could not read as audio: sending it again would fail the same way. */
export class NotAudioError extends Error {
  constructor(detail: string) {
    super(`the recording could not be read as audio (${detail})`);
    this.name = 'NotAudioError';
  }
}

const encode = ['-vn', '-map_metadata', '-1', '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'ogg'];

export function createVoiceNotes(options: VoiceNoteOptions): VoiceNotes {
  const timeout = options.timeoutMs ?? 60_000;
  let missing = false;
  return {
    async toVoiceNote(bytes) {
      if (missing) return null;
      const folder = await mkdtemp(path.join(os.tmpdir(), 'voice-'));
      try {
        const input = path.join(folder, 'recording');
        const output = path.join(folder, 'voice.ogg');
        await writeFile(input, bytes, { mode: 0o600 });
        try {
          // Only the file itself is read: a "recording" that is a playlist naming other addresses fetches nothing.
          const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-protocol_whitelist', 'file', '-i', input, ...encode, output];
          await promisify(execFile)(options.ffmpegPath, args, { timeout, maxBuffer: 1024 * 1024 });
        } catch (error) {
          const failure = error as Omit<NodeJS.ErrnoException, 'code'> & { code?: string | number; stderr?: string; killed?: boolean };
          if (failure.code === 'ENOENT') {
            missing = true;
            options.warn?.(`ffmpeg (FFMPEG_PATH=${options.ffmpegPath}) is not installed: agents' recordings go to WhatsApp as they are, and may not play there as voice notes`);
            return null;
          }
          // ffmpeg ran and said no: the recording. Anything else (killed, out of time, not allowed to run) may pass on a retry.
          if (typeof failure.code !== 'number' || failure.killed === true) throw new Error(`ffmpeg did not finish (${failure.killed === true ? `over ${timeout} ms` : String(failure.code ?? failure.message)})`);
          throw new NotAudioError((failure.stderr ?? '').trim().split('\n').at(-1) || `ffmpeg exited with ${failure.code}`);
        }
        return await readFile(output);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}
