/**
 * Agents' response times, read from what the bridge relayed: a driver's messages into a Chatwoot
 * conversation (`bridge_messages`) and the agents' replies sent from it (`whatsapp_deliveries`),
 * both of the same chat (by the chat's keyed hash, as both tables keep it: ids from another Chatwoot
 * sharing the database never mix in).
 */
import type { PersonalData } from '../crypto/personal-data.ts';
import type { Db } from '../db.ts';

export interface ReplyWait {
  /** No earlier agent reply of this conversation reached WhatsApp. */
  first: boolean;
  /** When the driver's earliest message since the agents' previous reply reached the conversation (relayed into Chatwoot, where agents see it); null: none waited. */
  waitingSince: Date | null;
}

/** How long the driver had been waiting when this agent's reply (its Chatwoot message, in chat `chatId`) went out. */
export async function replyWait(db: Db, personal: PersonalData, reply: { chatId: string; conversationId: number; messageId: number }): Promise<ReplyWait> {
  const result = await db.query<{ previous: Date | null; waiting_since: Date | null }>(
    `WITH previous AS (
       SELECT max(sent_at) AS at FROM whatsapp_deliveries
       WHERE origin = 'agent' AND status = 'sent' AND chatwoot_conversation_id = $1 AND chatwoot_message_id <> $2 AND chat_id = $3
     )
     SELECT previous.at AS previous,
       (SELECT min(created_at) FROM bridge_messages
        WHERE direction = 'inbound' AND status = 'done' AND chatwoot_conversation_id = $1 AND chat_id = $3
          AND created_at > COALESCE(previous.at, '-infinity')) AS waiting_since
     FROM previous`,
    [reply.conversationId, reply.messageId, personal.index('chat', reply.chatId)],
  );
  const row = result.rows[0]!;
  return { first: row.previous === null, waitingSince: row.waiting_since };
}
