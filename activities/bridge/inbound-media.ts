import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { fileTypeFromBuffer } from 'file-type';
import { bareMediaType, type InboundMessage } from '../../domain/chat.ts';
import { agentNotes } from '../../domain/texts/agents.ts';
import { withoutMetadata } from '../../platform/documents/strip-metadata.ts';
import { chatMediaKey } from '../../platform/storage/chat-media-key.ts';
import type { BridgeDependencies } from './dependencies.ts';

export interface MediaFile {
  bytes: Buffer;
  contentType: string;
  filename: string;
  key: string;
  sha256: string;
}

export type MediaOutcome = { ok: true; file: MediaFile } | { ok: false; note: string };

/** Executables and scripts are never passed on to agents, whatever the driver calls them. */
const refusedTypes = new Set([
  'application/x-msdownload', 'application/vnd.microsoft.portable-executable', 'application/x-elf', 'application/x-mach-binary',
  'application/x-sh', 'application/x-msi', 'application/vnd.android.package-archive', 'application/java-archive',
]);

const mediaTypes = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);
export const carriesMedia = (message: InboundMessage) => mediaTypes.has(message.type);

/**
 * The full file of a media message: from storage when the webhook carried it, else downloaded
 * through WPPConnect (the webhook had only a thumbnail, or the message came by polling). Typed by
 * its bytes and checked against the size limit; a refused file becomes a note for the agent.
 */
/** Attempts at a download WPPConnect answers "Decrypt file error", and the wait before each retry. */
const decryptAttempts = 3;
const decryptRetryMs = 2_000;

/**
 * WPPConnect's download; its "Decrypt file error" (a passing failure, or an id WhatsApp no longer
 * knows) is tried again a few times, then null: the agent is told instead of the message being lost.
 */
async function downloadWithRetries(deps: Pick<BridgeDependencies, 'wppconnect'>, whatsappId: string): Promise<Buffer | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await deps.wppconnect.downloadMedia(whatsappId)).bytes;
    } catch (error) {
      const undecryptable = error instanceof ApplicationFailure && error.type === ErrorType.DocumentUnreadable;
      if (!undecryptable) throw error;
      if (attempt >= decryptAttempts) return null;
      await sleep(decryptRetryMs * attempt);
    }
  }
}

/** Photos larger than this (pixels) are not decoded: passed on as they are (a decompression bomb is not opened). */
const mediaMaxPixels = 100_000_000;

export async function fetchInboundMedia(deps: Pick<BridgeDependencies, 'personal' | 'storage' | 'wppconnect' | 'mediaMaxBytes'>, chatId: string, message: InboundMessage): Promise<MediaOutcome> {
  const key = message.mediaKey ?? chatMediaKey(deps.personal, chatId, message.whatsappId);
  let bytes: Buffer;
  if (message.mediaKey !== null) {
    bytes = (await deps.storage.get(message.mediaKey)).bytes;
  } else {
    const downloaded = await downloadWithRetries(deps, message.whatsappId);
    if (downloaded === null) return { ok: false, note: agentNotes.mediaUndecryptable() };
    bytes = downloaded;
  }
  const size = (bytes.length / 1024 / 1024).toFixed(1);
  if (bytes.length > deps.mediaMaxBytes) {
    return { ok: false, note: agentNotes.fileTooLarge(size, Math.round(deps.mediaMaxBytes / 1024 / 1024)) };
  }
  const sniffed = (await fileTypeFromBuffer(bytes))?.mime;
  const detected = sniffed === undefined ? undefined : bareMediaType(sniffed);
  if (detected !== undefined && refusedTypes.has(detected)) {
    return { ok: false, note: agentNotes.executableRefused(detected) };
  }
  const declared = message.mimetype === null ? 'application/octet-stream' : bareMediaType(message.mimetype);
  // A bare Ogg container from a voice note or audio message is audio, so agents get a player, not a file.
  const receivedType = detected === 'application/ogg' && (message.type === 'ptt' || message.type === 'audio') ? 'audio/ogg' : (detected ?? declared);
  // A photo's metadata (its GPS position first) goes before it is kept or passed on; the webhook's copy is replaced.
  const received = bytes;
  const kept = await withoutMetadata(bytes, receivedType, mediaMaxPixels);
  bytes = kept.bytes;
  const { contentType } = kept;
  if (message.mediaKey === null || bytes !== received) await deps.storage.put(key, bytes, contentType);
  const extension = contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') ?? 'bin';
  const filename = printableName(message.filename ?? '') || `${message.type}-${message.timestamp}.${extension}`;
  return { ok: true, file: { bytes, contentType, filename, key, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

/**
 * The sender's file name as agents see it: control characters (CR/LF that would start a header) and
 * direction overrides (`foto\u202Egpj.exe`) become spaces, and it is cut to a length a name has.
 */
function printableName(name: string): string {
  return name.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}
