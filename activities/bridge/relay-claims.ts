import type { Db } from '../../platform/db.ts';

export type RelayDirection = 'inbound' | 'outbound';

export interface RelayClaim {
  direction: RelayDirection;
  chatId: string;
  /** inbound: the WhatsApp id; outbound: the Chatwoot message id. */
  sourceId: string;
  part: number;
}

/** What an earlier attempt left: nothing (go), done (skip), or a pending claim (look first). */
export type ClaimState = 'new' | 'pending' | 'done' | 'failed';

const keyColumn = (direction: RelayDirection) => (direction === 'inbound' ? 'whatsapp_message_id' : 'chatwoot_message_id');

/**
 * Claims one relay before its side effect. A second attempt for the same message and part sees
 * 'pending' (a previous attempt may have reached the other side) or 'done'.
 */
export async function claimRelay(db: Db, claim: RelayClaim): Promise<ClaimState> {
  const column = keyColumn(claim.direction);
  const result = await db.query<{ status: ClaimState; inserted: boolean }>(
    `INSERT INTO bridge_messages (direction, chat_id, ${column}, part, status)
     VALUES ($1, $2, $3, $4, 'pending')
     ON CONFLICT (chat_id, ${column}, part) WHERE direction = '${claim.direction}' DO UPDATE SET updated_at = now()
     RETURNING status, (xmax = 0) AS inserted`,
    [claim.direction, claim.chatId, claim.sourceId, claim.part],
  );
  const row = result.rows[0]!;
  return row.inserted ? 'new' : row.status;
}

export interface RelayOutcome {
  whatsappMessageId?: string | null;
  chatwootMessageId?: number | null;
  chatwootConversationId?: number | null;
  mediaKey?: string | null;
  mediaSha256?: string | null;
}

export async function completeRelay(db: Db, claim: RelayClaim, outcome: RelayOutcome, status: 'done' | 'failed' = 'done', error?: string): Promise<void> {
  const column = keyColumn(claim.direction);
  await db.query(
    `UPDATE bridge_messages SET status = $4, updated_at = now(),
       whatsapp_message_id = COALESCE($5, whatsapp_message_id), chatwoot_message_id = COALESCE($6, chatwoot_message_id),
       chatwoot_conversation_id = COALESCE($7, chatwoot_conversation_id), media_key = COALESCE($8, media_key),
       media_sha256 = COALESCE($9, media_sha256), error = $10
     WHERE direction = $1 AND ${column} = $2 AND part = $3 AND chat_id = $11`,
    [
      claim.direction, claim.sourceId, claim.part, status,
      outcome.whatsappMessageId ?? null, outcome.chatwootMessageId ?? null, outcome.chatwootConversationId ?? null,
      outcome.mediaKey ?? null, outcome.mediaSha256 ?? null, error ?? null, claim.chatId,
    ],
  );
}

/** The Chatwoot message an outbound WhatsApp message came from (for acks). */
export async function outboundByWhatsappId(db: Db, chatId: string, whatsappId: string): Promise<{ chatwootMessageId: number; conversationId: number } | null> {
  const result = await db.query<{ chatwoot_message_id: string; chatwoot_conversation_id: string }>(
    `SELECT chatwoot_message_id, chatwoot_conversation_id FROM bridge_messages
     WHERE direction = 'outbound' AND chat_id = $1 AND whatsapp_message_id = $2 AND chatwoot_conversation_id IS NOT NULL LIMIT 1`,
    [chatId, whatsappId],
  );
  const row = result.rows[0];
  return row === undefined ? null : { chatwootMessageId: Number(row.chatwoot_message_id), conversationId: Number(row.chatwoot_conversation_id) };
}
