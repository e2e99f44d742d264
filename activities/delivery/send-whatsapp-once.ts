import { createHash } from 'node:crypto';
import type { Db } from '../../platform/db.ts';
import type { WppConnectClient } from '../../integrations/wppconnect/client.ts';

export interface OutboundMessage {
  /** Derived from business ids (registration, decision, round), never from run ids. */
  idempotencyKey: string;
  registrationId: string | null;
  /** Digits without '+', as WPPConnect takes them. */
  phone: string;
  body: string;
}

/** How far back a message found in the chat may predate our first attempt (clock skew between hosts). */
const clockSkewMs = 60_000;

/**
 * Sends a WhatsApp text at most once per idempotency key. WPPConnect has no idempotency of its
 * own, so an attempt is recorded before sending; a retry that finds an unfinished attempt first
 * looks in the chat for the same text sent since then, and only sends if it is not there.
 */
export async function sendWhatsAppOnce(
  deps: { db: Db; wppconnect: WppConnectClient },
  message: OutboundMessage,
): Promise<{ messageId: string | null; alreadySent: boolean }> {
  const { db, wppconnect } = deps;
  const bodySha256 = createHash('sha256').update(message.body).digest('hex');
  const claimed = await db.query(
    `INSERT INTO outbound_messages (idempotency_key, registration_id, recipient, body_sha256, status)
     VALUES ($1, $2, $3, $4, 'sending')
     ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
     RETURNING status, whatsapp_message_id, first_attempt_at, (xmax = 0) AS inserted`,
    [message.idempotencyKey, message.registrationId, message.phone, bodySha256],
  );
  const attempt = claimed.rows[0] as { status: string; whatsapp_message_id: string | null; first_attempt_at: Date; inserted: boolean };
  if (attempt.status === 'sent') return { messageId: attempt.whatsapp_message_id, alreadySent: true };

  if (!attempt.inserted) {
    const since = attempt.first_attempt_at.getTime() - clockSkewMs;
    const recent = await wppconnect.recentMessages({ phone: message.phone, count: 50 });
    const earlier = recent.find((sent) => sent.fromMe && sent.body === message.body && sent.timestamp * 1000 >= since);
    if (earlier !== undefined) {
      await markSent(db, message.idempotencyKey, earlier.id);
      return { messageId: earlier.id, alreadySent: true };
    }
  }

  const { messageId } = await wppconnect.sendText({ phone: message.phone, message: message.body });
  await markSent(db, message.idempotencyKey, messageId);
  return { messageId, alreadySent: false };
}

async function markSent(db: Db, idempotencyKey: string, messageId: string): Promise<void> {
  await db.query("UPDATE outbound_messages SET status = 'sent', whatsapp_message_id = $2, sent_at = now() WHERE idempotency_key = $1", [
    idempotencyKey,
    messageId,
  ]);
}
