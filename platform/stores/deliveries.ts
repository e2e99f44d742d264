import type { Db } from '../db.ts';

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
  whatsapp_message_id: string | null;
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
export async function claimDelivery(db: Db, claim: DeliveryClaim): Promise<DeliveryState> {
  const result = await db.query<DeliveryRow>(
    `INSERT INTO whatsapp_deliveries (delivery_key, origin, chat_id, registration_id, chatwoot_conversation_id, chatwoot_message_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'sending')
     ON CONFLICT (delivery_key) DO UPDATE SET
       registration_id = COALESCE(whatsapp_deliveries.registration_id, EXCLUDED.registration_id),
       chatwoot_conversation_id = COALESCE(whatsapp_deliveries.chatwoot_conversation_id, EXCLUDED.chatwoot_conversation_id),
       chatwoot_message_id = COALESCE(whatsapp_deliveries.chatwoot_message_id, EXCLUDED.chatwoot_message_id)
     RETURNING status, whatsapp_message_id, error, chatwoot_conversation_id, chatwoot_message_id, first_attempt_at, (xmax = 0) AS inserted`,
    [claim.key, claim.origin, claim.chatId, claim.registrationId ?? null, claim.chatwoot?.conversationId ?? null, claim.chatwoot?.messageId ?? null],
  );
  const row = result.rows[0]!;
  return {
    status: row.status,
    whatsappMessageId: row.whatsapp_message_id,
    error: row.error,
    chatwoot: counterpartOf(row),
    firstAttemptAt: row.first_attempt_at,
    claimedNow: row.inserted,
  };
}

/** Where a delivery stands, or null when nobody has claimed it yet. */
export async function deliveryStatus(db: Db, key: string): Promise<DeliveryRow['status'] | null> {
  const result = await db.query<Pick<DeliveryRow, 'status'>>('SELECT status FROM whatsapp_deliveries WHERE delivery_key = $1', [key]);
  return result.rows[0]?.status ?? null;
}

const counterpartOf = (row: Pick<DeliveryRow, 'chatwoot_conversation_id' | 'chatwoot_message_id'>): ChatwootCounterpart | null =>
  row.chatwoot_message_id === null
    ? null
    : { conversationId: row.chatwoot_conversation_id === null ? null : Number(row.chatwoot_conversation_id), messageId: Number(row.chatwoot_message_id) };

export async function markDeliverySent(db: Db, key: string, whatsappMessageId: string): Promise<void> {
  await db.query("UPDATE whatsapp_deliveries SET status = 'sent', whatsapp_message_id = $2, sent_at = now(), error = NULL WHERE delivery_key = $1", [
    key,
    whatsappMessageId,
  ]);
}

/**
 * A message found in the chat becomes this delivery's, unless another delivery owns it by now
 * (two look-backs at once): returns whether it was taken.
 */
export async function adoptSentMessage(db: Db, key: string, whatsappMessageId: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE whatsapp_deliveries SET status = 'sent', whatsapp_message_id = $2, sent_at = now(), error = NULL
     WHERE delivery_key = $1 AND NOT EXISTS (SELECT 1 FROM whatsapp_deliveries WHERE whatsapp_message_id = $2 AND delivery_key <> $1)`,
    [key, whatsappMessageId],
  );
  return result.rowCount === 1;
}

/** WhatsApp refused it for good (unknown number, file too large…): never tried again. */
export async function markDeliveryFailed(db: Db, key: string, error: string): Promise<void> {
  await db.query("UPDATE whatsapp_deliveries SET status = 'failed', error = $2 WHERE delivery_key = $1", [key, error]);
}

/** The bot's copy of a sent message in Chatwoot, so a retry neither posts nor looks for it again. */
export async function recordChatwootCopy(db: Db, key: string, copy: { conversationId: number; messageId: number }): Promise<void> {
  await db.query('UPDATE whatsapp_deliveries SET chatwoot_conversation_id = $2, chatwoot_message_id = $3 WHERE delivery_key = $1', [
    key,
    copy.conversationId,
    copy.messageId,
  ]);
}

/** Of these WhatsApp message ids, the ones some delivery already owns: they cannot be another delivery's message. */
export async function ownedMessageIds(db: Db, whatsappMessageIds: string[]): Promise<Set<string>> {
  if (whatsappMessageIds.length === 0) return new Set();
  const result = await db.query<{ whatsapp_message_id: string }>(
    'SELECT whatsapp_message_id FROM whatsapp_deliveries WHERE whatsapp_message_id = ANY($1)',
    [whatsappMessageIds],
  );
  return new Set(result.rows.map((row) => row.whatsapp_message_id));
}

export interface SentMessage {
  origin: DeliveryOrigin;
  chatwoot: ChatwootCounterpart | null;
}

/** The delivery a WhatsApp message id belongs to (for its receipts); null: the system did not send it. */
export async function deliveryOfMessage(db: Db, whatsappMessageId: string): Promise<SentMessage | null> {
  const result = await db.query<{ origin: DeliveryOrigin; chatwoot_conversation_id: string | null; chatwoot_message_id: string | null }>(
    'SELECT origin, chatwoot_conversation_id, chatwoot_message_id FROM whatsapp_deliveries WHERE whatsapp_message_id = $1 LIMIT 1',
    [whatsappMessageId],
  );
  const row = result.rows[0];
  return row === undefined ? null : { origin: row.origin, chatwoot: counterpartOf(row) };
}

/** The sandbox's Chatwoot simulator hands out its message ids again on every start: forget the agents' replies it relayed. */
export async function forgetAgentDeliveries(db: Db): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM whatsapp_deliveries WHERE origin = 'agent'");
  return rowCount ?? 0;
}
