/**
 * Checks on what callers pass, done before calling the server: a wrong value here
 * is a bug in the caller, not something a retry fixes (ValidationFailed).
 */
import { ApplicationFailure } from '@temporalio/common';
import { isWhatsAppChatId } from '../../domain/chat.ts';
import { ErrorType } from '../../domain/errors.ts';

const invalid = (message: string) => ApplicationFailure.nonRetryable(message, ErrorType.ValidationFailed);

/** The send body's addressing: a phone as digits, or an @lid id (contacts WhatsApp shows only by LID). */
export interface Recipient {
  phone: string;
  isGroup: boolean;
  isLid?: true;
}

/**
 * Digits only for a phone. The server would turn '+', spaces or dashes into nothing
 * anyway, but a caller passing them has not normalised the number, and more than 14
 * digits is treated by the server as a WhatsApp LID, not a phone number.
 */
export function assertPhone(phone: string): void {
  if (!/^[1-9]\d{6,13}$/.test(phone)) {
    throw invalid(`"${phone}" is not a phone number in international form without '+' (7 to 14 digits)`);
  }
}

/** `351912345678`, `123456789012345@lid` for a contact known only by LID, or a group's `…@g.us`. */
export function recipientOf(phone: string): Recipient {
  const group = /^([\d-]{5,40})@g\.us$/.exec(phone);
  if (group?.[1] !== undefined) return { phone: group[1], isGroup: true };
  const lid = /^(\d{5,20})@lid$/.exec(phone);
  if (lid?.[1] !== undefined) return { phone: lid[1], isGroup: false, isLid: true };
  assertPhone(phone);
  return { phone, isGroup: false };
}

/** A chat id with its server: …@c.us, …@lid or …@g.us. */
export function assertChatId(chatId: string): void {
  if (!isWhatsAppChatId(chatId)) {
    throw invalid(`"${chatId}" is not a WhatsApp chat id (digits@c.us, digits@lid or id@g.us)`);
  }
}

export function assertLid(id: string): void {
  if (!/^\d{5,20}@lid$/.test(id)) throw invalid(`"${id}" is not a WhatsApp LID (digits@lid)`);
}

export function assertCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw invalid(`count must be a positive integer, got ${count}`);
}

export function assertMessageId(messageId: string): void {
  if (!/^(true|false)_[^_\s]+_[^_\s]+(_[^_\s]+)?$/.test(messageId)) {
    throw invalid(`"${messageId}" is not a serialized WhatsApp message id`);
  }
}

/**
 * The server only takes a data URL (`data:image/jpeg;base64,...`): a bare base64
 * string is read as a path or URL and fails. `kind` narrows the mimetype (image/, audio/).
 */
export function assertDataUrl(dataUrl: string, kind?: 'image' | 'audio'): void {
  const match = /^data:([\w.+-]+\/[\w.+-]+)((?:;[^;,]+)*);base64,/.exec(dataUrl.slice(0, 300));
  if (match === null) throw invalid('the file must be a data URL (data:<mimetype>;base64,...)');
  if (dataUrl.length === match[0].length) throw invalid('the file is empty');
  if (kind !== undefined && !match[1]?.startsWith(`${kind}/`)) {
    throw invalid(`expected an ${kind} file, got ${match[1] ?? 'nothing'}`);
  }
}
