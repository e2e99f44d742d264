/**
 * Agents' response times, read from what the bridge relayed: a driver's messages into a Chatwoot
 * conversation (`bridge_messages`) and the agents' replies sent from it (`whatsapp_deliveries`).
 * Only Chatwoot's conversation and message ids are compared, never a chat's or a person's id.
 */
import type { Db } from '../db.ts';

export interface ReplyWait {
  /** No earlier agent reply of this conversation reached WhatsApp. */
  first: boolean;
  /** The driver's earliest message relayed into the conversation since the agents' previous reply; null: none waited. */
  waitingSince: Date | null;
}

/** How long the driver had been waiting when this agent's reply (its Chatwoot message) went out. */
export async function replyWait(db: Db, reply: { conversationId: number; messageId: number }): Promise<ReplyWait> {
  const result = await db.query<{ previous: Date | null; waiting_since: Date | null }>(
    `WITH previous AS (
       SELECT max(sent_at) AS at FROM whatsapp_deliveries
       WHERE origin = 'agent' AND status = 'sent' AND chatwoot_conversation_id = $1 AND chatwoot_message_id <> $2
     )
     SELECT previous.at AS previous,
       (SELECT min(created_at) FROM bridge_messages
        WHERE direction = 'inbound' AND status = 'done' AND chatwoot_conversation_id = $1
          AND created_at > COALESCE(previous.at, '-infinity')) AS waiting_since
     FROM previous`,
    [reply.conversationId, reply.messageId],
  );
  const row = result.rows[0]!;
  return { first: row.previous === null, waitingSince: row.waiting_since };
}
