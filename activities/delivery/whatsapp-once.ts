import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { bareMediaType } from '../../domain/chat.ts';
import type { WhatsAppMessage, WppConnectClient } from '../../integrations/wppconnect/client.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import type { Db } from '../../platform/db.ts';
import {
  adoptSentMessage, claimDelivery, markDeliveryFailed, markDeliverySent, ownedMessageIds, type ChatwootCounterpart, type DeliveryClaim,
} from '../../platform/stores/deliveries.ts';
import { getSessionHealth, phoneIsOnline } from '../../platform/stores/whatsapp-session.ts';
import { recipientOfChat } from './recipient.ts';

/** A file to send: loaded only when it is really sent; null from `load` means "send `instead` as text" (e.g. too large). */
export interface MediaContent {
  kind: 'media';
  caption: string | null;
  filename: string;
  /**
   * How WhatsApp shows it. Unset: by its type (image, else audio as a voice note, else a file). An
   * image or audio hint wins over the type where the type says nothing more specific; 'file' always sends a file.
   */
  showAs?: 'image' | 'audio' | 'file';
  load: () => Promise<{ bytes: Buffer; contentType: string } | null>;
  /** Sent as text when `load` gives nothing. */
  instead?: string;
}

export type WhatsAppContent = { kind: 'text'; text: string } | MediaContent;

export interface Delivery extends DeliveryClaim {
  content: WhatsAppContent;
  /** Digits to send to, when already known; otherwise the chat's phone (an `@lid` chat asks WPPConnect). */
  phone?: string;
  quotedMessageId?: string | null;
}

export type DeliveryResult =
  | { outcome: 'sent'; whatsappMessageId: string; alreadySent: boolean; chatwoot: ChatwootCounterpart | null }
  /** Refused for good on an earlier attempt, for this reason. */
  | { outcome: 'failed'; error: string };

export interface DeliveryDependencies {
  db: Db;
  /** The keys the delivery records are hashed and sealed with (they name the chat). */
  personal: PersonalData;
  wppconnect: WppConnectClient;
}

/** How far a message found in the chat may predate the first attempt to send it: two hosts' clocks. */
const clockSkewMs = 60_000;
/** How many of the chat's last messages a retry looks through. */
const lookBack = 50;

type LoadedFile = { bytes: Buffer; contentType: string } | null;

/**
 * Sends one message to WhatsApp at most once per delivery key, whoever asks: registration
 * notices, the bot and agents' replies. WPPConnect has no idempotency of its own and lets no
 * sender choose a message's id (CONTRACTS.md §2.3), so the delivery is claimed first; a retry that
 * finds an unfinished claim looks in the chat for the message sent since that first attempt (and
 * owned by no other delivery, so an earlier identical "Ok" is not taken for this one) before
 * sending it again. Text is recognised by its words; a file by its content as WhatsApp reports it
 * — kind, caption, file name, type and size, the file loaded once to compare — so a file without
 * a caption is found too; one whose size WhatsApp changed (an image it re-encoded) is sent again
 * rather than risk taking someone else's for it (a possible duplicate, never a loss). A refusal
 * for good is recorded and rethrown.
 */
export async function sendToWhatsAppOnce(deps: DeliveryDependencies, delivery: Delivery): Promise<DeliveryResult> {
  const claim = await claimDelivery(deps.db, deps.personal, delivery);
  if (claim.status === 'sent' && claim.whatsappMessageId !== null) {
    return { outcome: 'sent', whatsappMessageId: claim.whatsappMessageId, alreadySent: true, chatwoot: claim.chatwoot };
  }
  if (claim.status === 'failed') return { outcome: 'failed', error: claim.error ?? 'refused by WhatsApp' };

  // A file is loaded at most once per attempt, whether to compare it with the chat's or to send it.
  const { content } = delivery;
  let loading: Promise<LoadedFile> | undefined;
  const file = content.kind === 'media' ? () => (loading ??= content.load()) : undefined;

  try {
    if (!claim.claimedNow) {
      const earlier = await findEarlierSend(deps, delivery, file, claim.firstAttemptAt.getTime() - clockSkewMs);
      if (earlier !== undefined) return { outcome: 'sent', whatsappMessageId: earlier, alreadySent: true, chatwoot: claim.chatwoot };
    }
    const phone = delivery.phone ?? (await recipientOfChat(deps.wppconnect, delivery.chatId));
    if (phone === null) throw ApplicationFailure.nonRetryable(`No phone number is known for this WhatsApp chat (an @lid id WhatsApp gives no phone for)`, ErrorType.WhatsAppRecipientUnknown);
    const whatsappMessageId = await send(deps.wppconnect, phone, content, file, delivery.quotedMessageId ?? null).catch(async (error: unknown) => {
      throw await unlessSessionTrusted(deps, error);
    });
    await markDeliverySent(deps.db, deps.personal, delivery, whatsappMessageId);
    await phoneIsOnline(deps.db);
    return { outcome: 'sent', whatsappMessageId, alreadySent: false, chatwoot: claim.chatwoot };
  } catch (error) {
    if (error instanceof ApplicationFailure && error.nonRetryable) await markDeliveryFailed(deps.db, deps.personal, delivery, error.message);
    throw error;
  }
}

/**
 * WPPConnect says "O número … não existe." for a valid number too while the phone is offline or the
 * session unpaired (CONTRACTS.md §2.2): a number is taken as unknown for good only when the session
 * is CONNECTED and no webhook said the phone went away; otherwise the send is retried (the driver
 * still hears their decision once WhatsApp is back).
 */
async function unlessSessionTrusted(deps: DeliveryDependencies, error: unknown): Promise<unknown> {
  if (!(error instanceof ApplicationFailure) || error.type !== ErrorType.WhatsAppRecipientUnknown) return error;
  const [status, health] = await Promise.all([deps.wppconnect.sessionStatus().catch(() => null), getSessionHealth(deps.db)]);
  if (status?.status === 'CONNECTED' && health?.phoneOffline !== true) return error;
  return new Error(`${error.message} (the WhatsApp session is ${health?.phoneOffline === true ? 'connected but its phone is offline' : status?.status ?? 'unreachable'}: retried)`);
}

/** This delivery's message among the chat's recent ones: ours, sent since its first attempt, the same content, owned by no other delivery. */
async function findEarlierSend(
  deps: DeliveryDependencies, delivery: Delivery, file: (() => Promise<LoadedFile>) | undefined, sinceMs: number,
): Promise<string | undefined> {
  const { content } = delivery;
  const recent = await deps.wppconnect.chatMessages({ chatId: delivery.chatId, count: lookBack });
  const ours = recent.filter((message) => message.fromMe && message.timestamp * 1000 >= sinceMs);
  const owned = await ownedMessageIds(deps.db, deps.personal, ours.map((message) => message.id));
  for (const candidate of ours) {
    if (owned.has(candidate.id) || !(await sameContent(candidate, content, file))) continue;
    if (await adoptSentMessage(deps.db, deps.personal, delivery, candidate.id)) return candidate.id;
  }
  return undefined;
}

async function sameContent(message: WhatsAppMessage, content: WhatsAppContent, file: (() => Promise<LoadedFile>) | undefined): Promise<boolean> {
  if (content.kind === 'text') return !message.hasMedia && message.body === content.text;
  if (!message.hasMedia) return content.instead !== undefined && message.body === content.instead;
  // What WhatsApp reports without the file first: the caption, and the name where it keeps one.
  if ((message.caption ?? '') !== (content.caption ?? '')) return false;
  if (message.filename !== undefined && message.filename !== content.filename) return false;
  const loaded = await file!();
  if (loaded === null) return false;
  const how = sentAs(content, loaded.contentType);
  if (how === 'image' && message.type !== 'image') return false;
  if (how === 'voice' && message.type !== 'ptt' && message.type !== 'audio') return false;
  if (message.mimetype !== undefined && bareMediaType(message.mimetype) !== bareMediaType(loaded.contentType)) return false;
  // No size, nothing to tell a file from another of its kind: sent again rather than risk a loss.
  return message.size === loaded.bytes.length;
}


/** Which WPPConnect send a file goes by: an image, a voice note, or a file (WhatsApp then shows it by its type). */
function sentAs(content: MediaContent, contentType: string): 'image' | 'voice' | 'file' {
  const byType = content.showAs !== 'file';
  if (content.showAs === 'image' || (byType && contentType.startsWith('image/'))) return 'image';
  if (content.showAs === 'audio' || (byType && contentType.startsWith('audio/'))) return 'voice';
  return 'file';
}

async function send(
  wppconnect: WppConnectClient, phone: string, content: WhatsAppContent, file: (() => Promise<LoadedFile>) | undefined, quoted: string | null,
): Promise<string> {
  const quote = quoted === null ? {} : { quotedMessageId: quoted };
  if (content.kind === 'text') return (await wppconnect.sendText({ phone, message: content.text, ...quote })).messageId;
  const loaded = await file!();
  if (loaded === null) return (await wppconnect.sendText({ phone, message: content.instead ?? content.filename, ...quote })).messageId;
  const dataUrl = `data:${loaded.contentType};base64,${loaded.bytes.toString('base64')}`;
  const caption = content.caption === null ? {} : { caption: content.caption };
  switch (sentAs(content, loaded.contentType)) {
    case 'image':
      return (await wppconnect.sendImage({ phone, dataUrl, filename: content.filename, ...caption, ...quote })).messageId;
    case 'voice':
      return (await wppconnect.sendVoice({ phone, dataUrl, ...quote })).messageId;
    case 'file':
      return (await wppconnect.sendFile({ phone, dataUrl, filename: content.filename, ...caption, ...quote })).messageId;
  }
}

/** The file name at the end of a URL, for what WhatsApp shows; `fallback` when it has none or cannot be decoded. */
export function fileNameFromUrl(url: string, fallback = 'ficheiro'): string {
  if (!URL.canParse(url)) return fallback;
  const last = new URL(url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last) || fallback;
  } catch {
    return last || fallback;
  }
}
