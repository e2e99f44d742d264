/**
 * Media as WhatsApp Web holds it: the message carries the mimetype, size, hashes
 * and CDN coordinates, and its `body` is only a small JPEG preview (images,
 * videos, documents) or empty; the file itself is what download-media decrypts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WaMessage } from './messages.ts';

export const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);

export interface MediaFile {
  bytes: Buffer;
  mimetype: string;
  filename?: string;
}

/** `data:<mimetype>[;params];base64,<data>` as wa-js accepts it; null for anything else (a path or URL to the server). */
export function parseDataUrl(value: unknown): MediaFile | null {
  if (typeof value !== 'string') return null;
  const match = /^data:([^;,]+)((?:;[^;,]+)*);base64,/.exec(value.slice(0, 300));
  if (match === null) return null;
  const [header, mimetype = '', params = ''] = match;
  const parameters = params.split(';').filter((part) => part !== '' && part.toLowerCase() !== 'base64');
  return {
    bytes: Buffer.from(value.slice(header.length), 'base64'),
    mimetype: [mimetype, ...parameters].join('; '),
  };
}

/** wa-js sendFileMessage with type auto-detect. */
export function detectType(mimetype: string): string {
  if (mimetype.startsWith('image/')) return 'image';
  if (mimetype.startsWith('video/')) return 'video';
  if (mimetype.startsWith('audio/')) return 'audio';
  return 'document';
}

/**
 * What WhatsApp Web keeps in `body` before the file is downloaded: a tiny JPEG
 * preview for visual media, nothing for audio and stickers. Never the same length
 * as the file, so a test can tell a preview from the real thing.
 */
export function previewBody(type: string, size: number): string {
  if (!['image', 'video', 'document', 'location'].includes(type)) return '';
  const filler = randomBytes(size === 48 ? 41 : 40);
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), filler, Buffer.from([0xff, 0xd9])]);
  return jpeg.toString('base64');
}

/** The media fields of a message carrying `file`. */
export function mediaFields(type: string, file: MediaFile): Partial<WaMessage> {
  const size = file.bytes.length;
  const path = `/v/t62.7118-24/${randomBytes(8).toString('hex')}.enc`;
  const body = previewBody(type, size);
  return {
    body,
    content: body,
    mimetype: file.mimetype,
    size,
    filehash: createHash('sha256').update(file.bytes).digest('base64'),
    mediaKey: randomBytes(32).toString('base64'),
    directPath: path,
    deprecatedMms3Url: `https://mmg.whatsapp.net${path}`,
    isMedia: type !== 'document',
    isMMS: true,
    mediaData: { type, mediaStage: 'RESOLVED', size, mimetype: file.mimetype },
    ...(file.filename === undefined ? {} : { filename: file.filename }),
  };
}

export function hasMedia(message: WaMessage): boolean {
  return message.mimetype !== undefined || message.isMedia || message.isMMS;
}
