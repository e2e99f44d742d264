/**
 * Debian's ffmpeg and ffprobe (found or installed by scripts/test.ts and handed over as
 * TEST_FFMPEG_PATH): recordings made the way browsers make them, and what a file really holds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** Why there is no ffmpeg here, or undefined when there is one. */
export const ffmpegMissing = (): string | undefined =>
  process.env.TEST_FFMPEG_PATH ? undefined : (process.env.TEST_FFMPEG_MISSING ?? 'TEST_FFMPEG_PATH is not set (run through scripts/test.ts)');

export const ffmpegPath = (): string => {
  const found = process.env.TEST_FFMPEG_PATH;
  if (found === undefined) throw new Error(`no ffmpeg: ${ffmpegMissing()}`);
  return found;
};

/** Formats an agent's recording may come in: Chrome's and Firefox's (WebM/Opus), Safari's (MP4/AAC), an uploaded MP3. */
const recordingFormats = {
  webm: ['-c:a', 'libopus', '-f', 'webm'],
  mp4: ['-c:a', 'aac', '-f', 'mp4'],
  mp3: ['-c:a', 'libmp3lame', '-f', 'mp3'],
} as const;

async function inScratch<T>(work: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ffmpeg-test-'));
  try {
    return await work(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A tone of `seconds`, recorded as a browser would in `format`. */
export const makeRecording = (seconds: number, format: keyof typeof recordingFormats): Promise<Buffer> =>
  inScratch(async (folder) => {
    const file = path.join(folder, `recording.${format}`);
    await promisify(execFile)(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, ...recordingFormats[format], file]);
    return readFile(file);
  });

/** What a file holds, as ffprobe reads it: its container, its audio codec, channels, sample rate and duration. */
export const probe = (bytes: Buffer): Promise<{ container: string; codec: string; channels: number; sampleRate: number; seconds: number }> =>
  inScratch(async (folder) => {
    const file = path.join(folder, 'file');
    await writeFile(file, bytes);
    const ffprobe = path.join(path.dirname(ffmpegPath()), 'ffprobe');
    const { stdout } = await promisify(execFile)(ffprobe, ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_name,channels,sample_rate', '-of', 'json', file]);
    const found = JSON.parse(stdout) as { format: { format_name: string; duration: string }; streams: Array<{ codec_name: string; channels: number; sample_rate: string }> };
    const [stream] = found.streams;
    return { container: found.format.format_name, codec: stream?.codec_name ?? '', channels: stream?.channels ?? 0, sampleRate: Number(stream?.sample_rate ?? 0), seconds: Number(found.format.duration) };
  });
