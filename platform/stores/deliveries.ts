/**
 * `whatsapp_deliveries`: everything sent to WhatsApp, by whom, whether it went. The delivery key, the
 * chat's and the message's WhatsApp ids hold the phone: their keyed hashes are what is compared; the
 * message id and WhatsApp's refusal, which are read back, are kept sealed with the chat's key.
 */
import { openField, sealField, type PersonalData } from '../crypto/personal-data.ts';
import type { Db } from '../db.ts';
import { chatKey } from './data-keys.ts';

/** Who asked for a WhatsApp message: a registration notice or reminder, the bot, or an agent's reply from Chatwoot. */
export type DeliveryOrigin = 'registration' | 'bot' | 'agent';

/** The Chatwoot message a WhatsApp message is: the agent's reply it came from, or the bot's copy of it. */
export interface ChatwootCounterpart {
  conversationId: number | null;
  messageId: number;
}

export interface DeliveryClaim {
  /** From business ids, never run ids: the same message always has the same key. */
  key: string;
  origin: DeliveryOrigin;
  chatId: string;
  registrationId?: string | null;
  /** An agent's reply: the Chatwoot message it came from. */
  chatwoot?: { conversationId: number; messageId: number } | null;
}

export interface DeliveryState {
  status: 'sending' | 'sent' | 'failed';
  whatsappMessageId: string | null;
  /** Why WhatsApp refused it, when it did. */
  error: string | null;
  chatwoot: ChatwootCounterpart | null;
  /** When the first attempt claimed it (the database's clock). */
  firstAttemptAt: Date;
  /** This call made the claim: no earlier attempt can have sent anything. */
  claimedNow: boolean;
}

type DeliveryRow = {
  status: DeliveryState['status'];
  whatsapp_message_sealed: string | null;
  error: string | null;
  chatwoot_conversation_id: string | null;
  chatwoot_message_id: string | null;
  first_attempt_at: Date;
  inserted: boolean;
};

/**
 * Claims a delivery before its send; a later attempt gets the earlier claim's state instead (and
 * fills in what the earlier claim did not know, e.g. the Chatwoot message of a reply claimed by an
 * older version).
 */
/** A delivery's sealed message id or refusal opens only in its own row and column. */
export const sealedBinding = (column: 'whatsapp_message' | 'error', key: string) => `whatsapp_deliveries.${column}|${key}`;

export async function claimDelivery(db: Db, personal: PersonalData, claim: DeliveryClaim): Promise<DeliveryState> {
  const result = await db.query<DeliveryRow>(
    `INSERT INTO whatsapp_deliveries (delivery_key, origin, chat_id, registration_id, chatwoot_conversation_id, chatwoot_message_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'sending')
     ON CONFLICT (delivery_key) DO UPDATE SET
       registration_id = COALESCE(whatsapp_deliveries.registration_id, EXCLUDED.registration_id),
       chatwoot_conversation_id = COALESCE(whatsapp_deliveries.chatwoot_conversation_id, EXCLUDED.chatwoot_conversation_id),
       chatwoot_message_id = COALESCE(whatsapp_deliveries.chatwoot_message_id, EXCLUDED.chatwoot_message_id)
     RETURNING status, whatsapp_message_sealed, error, chatwoot_conversation_id, chatwoot_message_id, first_attempt_at, (xmax = 0) AS inserted`,
    [personal.index('delivery', claim.key), claim.origin, personal.index('chat', claim.chatId), claim.registrationId ?? null, claim.chatwoot?.conversationId ?? null, claim.chatwoot?.messageId ?? null],
  );
  const row = result.rows[0]!;
  const sealed = row.whatsapp_message_sealed !== null || row.error !== null ? await chatKey(db, personal, claim.chatId) : undefined;
  return {
    status: row.status,
    whatsappMessageId: row.whatsapp_message_sealed === null ? null : openField(sealed, sealedBinding('whatsapp_message', claim.key), row.whatsapp_message_sealed),
    error: row.error === null ? null : openField(sealed, sealedBinding('error', claim.key), row.error),
    chatwoot: counterpartOf(row),
    firstAttemptAt: row.first_attempt_at,
    claimedNow: row.inserted,
  };
}

/** Where a delivery stands, or null when nobody has claimed it yet. */
export async function deliveryStatus(db: Db, personal: PersonalData, key: string): Promise<DeliveryRow['status'] | null> {
  const result = await db.query<Pick<DeliveryRow, 'status'>>('SELECT status FROM whatsapp_deliveries WHERE delivery_key = $1', [personal.index('delivery', key)]);
  return result.rows[0]?.status ?? null;
}

const counterpartOf = (row: Pick<DeliveryRow, 'chatwoot_conversation_id' | 'chatwoot_message_id'>): ChatwootCounterpart | null =>
  row.chatwoot_message_id === null
    ? null
    : { conversationId: row.chatwoot_conversation_id === null ? null : Number(row.chatwoot_conversation_id), messageId: Number(row.chatwoot_message_id) };

/** The delivery and the chat it goes to, as the writes below name them. */
export interface DeliveryRef {
  key: string;
  chatId: string;
}

const sentMessage = async (db: Db, personal: PersonalData, delivery: DeliveryRef, whatsappMessageId: string) => [
  personal.index('delivery', delivery.key),
  personal.index('message', whatsappMessageId),
  sealField(await chatKey(db, personal, delivery.chatId), sealedBinding('whatsapp_message', delivery.key), whatsappMessageId),
];

export async function markDeliverySent(db: Db, personal: PersonalData, delivery: DeliveryRef, whatsappMessageId: string): Promise<void> {
  await db.query(
    "UPDATE whatsapp_deliveries SET status = 'sent', whatsapp_message_id = $2, whatsapp_message_sealed = $3, sent_at = now(), error = NULL WHERE delivery_key = $1",
    await sentMessage(db, personal, delivery, whatsappMessageId),
  );
}

/**
 * A message found in the chat becomes this delivery's, unless another delivery owns it by now
 * (two look-backs at once): returns whether it was taken.
 */
export async function adoptSentMessage(db: Db, personal: PersonalData, delivery: DeliveryRef, whatsappMessageId: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE whatsapp_deliveries SET status = 'sent', whatsapp_message_id = $2, whatsapp_message_sealed = $3, sent_at = now(), error = NULL
     WHERE delivery_key = $1 AND NOT EXISTS (SELECT 1 FROM whatsapp_deliveries WHERE whatsapp_message_id = $2 AND delivery_key <> $1)`,
    await sentMessage(db, personal, delivery, whatsappMessageId),
  );
  return result.rowCount === 1;
}

/** WhatsApp refused it for good (unknown number, file too large…): never tried again. */
export async function markDeliveryFailed(db: Db, personal: PersonalData, delivery: DeliveryRef, error: string): Promise<void> {
  const sealed = sealField(await chatKey(db, personal, delivery.chatId), sealedBinding('error', delivery.key), error);
  await db.query("UPDATE whatsapp_deliveries SET status = 'failed', error = $2 WHERE delivery_key = $1", [personal.index('delivery', delivery.key), sealed]);
}

/** The bot's copy of a sent message in Chatwoot, so a retry neither posts nor looks for it again. */
export async function recordChatwootCopy(db: Db, personal: PersonalData, key: string, copy: { conversationId: number; messageId: number }): Promise<void> {
  await db.query('UPDATE whatsapp_deliveries SET chatwoot_conversation_id = $2, chatwoot_message_id = $3 WHERE delivery_key = $1', [
    personal.index('delivery', key),
    copy.conversationId,
    copy.messageId,
  ]);
}

/** Of these WhatsApp message ids, the ones some delivery already owns: they cannot be another delivery's message. */
export async function ownedMessageIds(db: Db, personal: PersonalData, whatsappMessageIds: string[]): Promise<Set<string>> {
  if (whatsappMessageIds.length === 0) return new Set();
  const byHash = new Map(whatsappMessageIds.map((id) => [personal.index('message', id), id]));
  const result = await db.query<{ whatsapp_message_id: string }>(
    'SELECT whatsapp_message_id FROM whatsapp_deliveries WHERE whatsapp_message_id = ANY($1)',
    [[...byHash.keys()]],
  );
  return new Set(result.rows.map((row) => byHash.get(row.whatsapp_message_id)!));
}

export interface SentMessage {
  origin: DeliveryOrigin;
  chatwoot: ChatwootCounterpart | null;
}

/** The delivery a WhatsApp message id belongs to (for its receipts); null: the system did not send it. */
export async function deliveryOfMessage(db: Db, personal: PersonalData, whatsappMessageId: string): Promise<SentMessage | null> {
  const result = await db.query<{ origin: DeliveryOrigin; chatwoot_conversation_id: string | null; chatwoot_message_id: string | null }>(
    'SELECT origin, chatwoot_conversation_id, chatwoot_message_id FROM whatsapp_deliveries WHERE whatsapp_message_id = $1 LIMIT 1',
    [personal.index('message', whatsappMessageId)],
  );
  const row = result.rows[0];
  return row === undefined ? null : { origin: row.origin, chatwoot: counterpartOf(row) };
}

/** The sandbox's Chatwoot simulator hands out its message ids again on every start: forget the agents' replies it relayed. */
export async function forgetAgentDeliveries(db: Db): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM whatsapp_deliveries WHERE origin = 'agent'");
  return rowCount ?? 0;
}

/** One part of an agent's reply as it stands in `whatsapp_deliveries`. */
export interface ReplyPart {
  key: string;
  status: DeliveryState['status'];
  whatsappMessageId: string | null;
  sentAt: Date | null;
}

/**
 * The parts of an agent's reply the system has claimed, by their delivery keys (`keys`: every key the
 * reply's parts could have, in order); parts never claimed are left out.
 */
export async function replyParts(db: Db, personal: PersonalData, chatId: string, keys: string[]): Promise<ReplyPart[]> {
  const byHash = new Map(keys.map((key) => [personal.index('delivery', key), key]));
  const result = await db.query<{ delivery_key: string; status: DeliveryState['status']; whatsapp_message_sealed: string | null; sent_at: Date | null }>(
    'SELECT delivery_key, status, whatsapp_message_sealed, sent_at FROM whatsapp_deliveries WHERE delivery_key = ANY($1)',
    [[...byHash.keys()]],
  );
  if (result.rows.length === 0) return [];
  const sealed = result.rows.some((row) => row.whatsapp_message_sealed !== null) ? await chatKey(db, personal, chatId) : undefined;
  return result.rows
    .map((row) => {
      const key = byHash.get(row.delivery_key)!;
      const whatsappMessageId = row.whatsapp_message_sealed === null ? null : openField(sealed, sealedBinding('whatsapp_message', key), row.whatsapp_message_sealed);
      return { key, status: row.status, whatsappMessageId, sentAt: row.sent_at };
    })
    .sort((a, b) => keys.indexOf(a.key) - keys.indexOf(b.key));
}

/**
 * WhatsApp reported an agent's sent message failed (a negative ack): its delivery counts as refused,
 * so the agent's retry in Chatwoot sends it again.
 */
export async function markAgentMessageFailed(db: Db, personal: PersonalData, whatsappMessageId: string): Promise<void> {
  await db.query("UPDATE whatsapp_deliveries SET status = 'failed' WHERE whatsapp_message_id = $1 AND origin = 'agent'", [personal.index('message', whatsappMessageId)]);
}

/** An agent retried a reply WhatsApp had refused: the refusals of its parts are forgotten, so their next claims send them again. */
export async function forgetRefusals(db: Db, personal: PersonalData, keys: string[]): Promise<void> {
  await db.query("DELETE FROM whatsapp_deliveries WHERE delivery_key = ANY($1) AND status = 'failed'", [keys.map((key) => personal.index('delivery', key))]);
}
