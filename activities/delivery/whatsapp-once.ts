import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import type { WhatsAppMessage, WppConnectClient } from '../../integrations/wppconnect/client.ts';
import type { Db } from '../../platform/db.ts';
import {
  claimDelivery, markDeliveryFailed, markDeliverySent, ownedMessageIds, type DeliveryClaim,
} from '../../platform/stores/deliveries.ts';
import { phoneOfChat } from './recipient.ts';

/** A file to send: loaded only when it is really sent; null from `load` means "send `instead` as text" (e.g. too large). */
export interface MediaContent {
  kind: 'media';
  caption: string | null;
  filename: string;
  /** How WhatsApp should show it when its type does not say (an agent's attachment kind, the bot's media type). */
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
  | { outcome: 'sent'; whatsappMessageId: string; alreadySent: boolean }
  /** Refused for good on an earlier attempt (whoever needed to know was told then). */
  | { outcome: 'failed' };

export interface DeliveryDependencies {
  db: Db;
  wppconnect: WppConnectClient;
}

/** How far a message found in the chat may predate the first attempt to send it: two hosts' clocks. */
export const clockSkewMs = 60_000;
/** How many of the chat's last messages a retry looks through. */
const lookBack = 50;

/**
 * Sends one message to WhatsApp at most once per delivery key, whoever asks: registration
 * notices, the bot and agents' replies. WPPConnect has no idempotency of its own, so the delivery
 * is claimed first; a retry that finds an unfinished claim looks in the chat for the message sent
 * since that first attempt (and owned by no other delivery, so an earlier identical "Ok" is not
 * taken for this one) before sending it again. A refusal for good is recorded and rethrown.
 */
export async function sendToWhatsAppOnce(deps: DeliveryDependencies, delivery: Delivery): Promise<DeliveryResult> {
  const claim = await claimDelivery(deps.db, delivery);
  if (claim.status === 'sent' && claim.whatsappMessageId !== null) return { outcome: 'sent', whatsappMessageId: claim.whatsappMessageId, alreadySent: true };
  if (claim.status === 'failed') return { outcome: 'failed' };

  if (!claim.claimedNow) {
    const earlier = await findEarlierSend(deps, delivery, claim.firstAttemptAt.getTime() - clockSkewMs);
    if (earlier !== undefined) {
      await markDeliverySent(deps.db, delivery.key, earlier.id);
      return { outcome: 'sent', whatsappMessageId: earlier.id, alreadySent: true };
    }
  }

  try {
    const phone = delivery.phone ?? (await phoneOfChat(deps.wppconnect, delivery.chatId));
    if (phone === null) throw ApplicationFailure.nonRetryable(`No phone number is known for WhatsApp chat ${delivery.chatId}`, ErrorType.WhatsAppRecipientUnknown);
    const whatsappMessageId = await send(deps.wppconnect, phone, delivery.content, delivery.quotedMessageId ?? null);
    await markDeliverySent(deps.db, delivery.key, whatsappMessageId);
    return { outcome: 'sent', whatsappMessageId, alreadySent: false };
  } catch (error) {
    if (error instanceof ApplicationFailure && error.nonRetryable) await markDeliveryFailed(deps.db, delivery.key, error.message);
    throw error;
  }
}

/** This delivery's message among the chat's recent ones: ours, sent since its first attempt, the same content, owned by no other delivery. */
async function findEarlierSend(deps: DeliveryDependencies, delivery: Delivery, sinceMs: number): Promise<WhatsAppMessage | undefined> {
  const recent = await deps.wppconnect.chatMessages({ chatId: delivery.chatId, count: lookBack });
  const candidates = recent.filter((message) => message.fromMe && message.timestamp * 1000 >= sinceMs && sameContent(message, delivery.content));
  const owned = await ownedMessageIds(deps.db, candidates.map((message) => message.id));
  return candidates.find((message) => !owned.has(message.id));
}

function sameContent(message: WhatsAppMessage, content: WhatsAppContent): boolean {
  if (content.kind === 'text') return !message.hasMedia && message.body === content.text;
  if (content.instead !== undefined && !message.hasMedia && message.body === content.instead) return true;
  return message.hasMedia && (message.caption ?? '') === (content.caption ?? '');
}

async function send(wppconnect: WppConnectClient, phone: string, content: WhatsAppContent, quoted: string | null): Promise<string> {
  const quote = quoted === null ? {} : { quotedMessageId: quoted };
  if (content.kind === 'text') return (await wppconnect.sendText({ phone, message: content.text, ...quote })).messageId;
  const file = await content.load();
  if (file === null) return (await wppconnect.sendText({ phone, message: content.instead ?? content.filename, ...quote })).messageId;
  const dataUrl = `data:${file.contentType};base64,${file.bytes.toString('base64')}`;
  const caption = content.caption === null ? {} : { caption: content.caption };
  if (content.showAs === 'image' || (content.showAs === undefined && file.contentType.startsWith('image/'))) {
    return (await wppconnect.sendImage({ phone, dataUrl, filename: content.filename, ...caption, ...quote })).messageId;
  }
  if (content.showAs === 'audio' || (content.showAs === undefined && file.contentType.startsWith('audio/'))) {
    return (await wppconnect.sendVoice({ phone, dataUrl, ...quote })).messageId;
  }
  return (await wppconnect.sendFile({ phone, dataUrl, filename: content.filename, ...caption, ...quote })).messageId;
}
