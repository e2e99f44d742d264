/**
 * `bridge_messages`: WhatsApp messages relayed into Chatwoot. The chat's and the message's WhatsApp
 * ids hold the phone: only their keyed hashes are kept (they are only compared).
 */
import type { PersonalData } from '../crypto/personal-data.ts';
import type { Db } from '../db.ts';

/** What an earlier attempt left of a relay into Chatwoot: nothing (go), done or failed (skip), or a pending claim (look first). */
export type RelayState = 'new' | 'pending' | 'done' | 'failed';

export interface InboundRelay {
  chatId: string;
  whatsappMessageId: string;
}

/**
 * Claims the relay of a WhatsApp message into Chatwoot before its side effect. A second attempt
 * for the same message sees 'pending' (a previous attempt may have posted it) or 'done'.
 */
const hashed = (personal: PersonalData, relay: InboundRelay) => [personal.index('chat', relay.chatId), personal.index('message', relay.whatsappMessageId)];

export async function claimInboundRelay(db: Db, personal: PersonalData, relay: InboundRelay): Promise<RelayState> {
  const result = await db.query<{ status: RelayState; inserted: boolean }>(
    `INSERT INTO bridge_messages (direction, chat_id, whatsapp_message_id, part, status)
     VALUES ('inbound', $1, $2, 0, 'pending')
     ON CONFLICT (chat_id, whatsapp_message_id, part) WHERE direction = 'inbound' DO UPDATE SET updated_at = now()
     RETURNING status, (xmax = 0) AS inserted`,
    hashed(personal, relay),
  );
  const row = result.rows[0]!;
  return row.inserted ? 'new' : row.status;
}

export interface InboundOutcome {
  chatwootMessageId: number;
  chatwootConversationId: number;
  mediaKey?: string | null;
  mediaSha256?: string | null;
}

export async function completeInboundRelay(db: Db, personal: PersonalData, relay: InboundRelay, outcome: InboundOutcome): Promise<void> {
  await db.query(
    `UPDATE bridge_messages SET status = 'done', updated_at = now(), chatwoot_message_id = $3, chatwoot_conversation_id = $4,
       media_key = COALESCE($5, media_key), media_sha256 = COALESCE($6, media_sha256)
     WHERE direction = 'inbound' AND chat_id = $1 AND whatsapp_message_id = $2 AND part = 0`,
    [...hashed(personal, relay), outcome.chatwootMessageId, outcome.chatwootConversationId, outcome.mediaKey ?? null, outcome.mediaSha256 ?? null],
  );
}

/** Where a driver's WhatsApp message was relayed in Chatwoot; null when it was not (yet). */
export async function inboundCopy(db: Db, personal: PersonalData, relay: InboundRelay): Promise<{ conversationId: number; messageId: number } | null> {
  const result = await db.query<{ chatwoot_conversation_id: string; chatwoot_message_id: string }>(
    `SELECT chatwoot_conversation_id, chatwoot_message_id FROM bridge_messages
     WHERE direction = 'inbound' AND chat_id = $1 AND whatsapp_message_id = $2 AND part = 0 AND chatwoot_message_id IS NOT NULL`,
    hashed(personal, relay),
  );
  const row = result.rows[0];
  return row === undefined ? null : { conversationId: Number(row.chatwoot_conversation_id), messageId: Number(row.chatwoot_message_id) };
}

/** Of these WhatsApp messages of a chat, the ones already relayed into Chatwoot (reconciliation skips them). */
export async function relayedInbound(db: Db, personal: PersonalData, chatId: string, whatsappMessageIds: string[]): Promise<Set<string>> {
  const byHash = new Map(whatsappMessageIds.map((id) => [personal.index('message', id), id]));
  const result = await db.query<{ whatsapp_message_id: string }>(
    "SELECT whatsapp_message_id FROM bridge_messages WHERE direction = 'inbound' AND status <> 'pending' AND chat_id = $1 AND whatsapp_message_id = ANY($2)",
    [personal.index('chat', chatId), [...byHash.keys()]],
  );
  return new Set(result.rows.map((row) => byHash.get(row.whatsapp_message_id)!));
}

/** A claim on a relay into Chatwoot as it stands: done (or failed), or pending since `pendingMs` ago. */
export type ClaimState = { status: 'done' | 'failed' } | { status: 'pending'; pendingMs: number };

/** Of these WhatsApp messages (or notes) of a chat, those with a claim, and its state (a history import reads them before it posts). */
export async function inboundClaims(db: Db, personal: PersonalData, chatId: string, whatsappMessageIds: string[]): Promise<Map<string, ClaimState>> {
  const byHash = new Map(whatsappMessageIds.map((id) => [personal.index('message', id), id]));
  const result = await db.query<{ whatsapp_message_id: string; status: 'pending' | 'done' | 'failed'; pending_ms: number }>(
    `SELECT whatsapp_message_id, status, (extract(epoch FROM now() - updated_at) * 1000)::float8 AS pending_ms FROM bridge_messages
     WHERE direction = 'inbound' AND part = 0 AND chat_id = $1 AND whatsapp_message_id = ANY($2)`,
    [personal.index('chat', chatId), [...byHash.keys()]],
  );
  return new Map(result.rows.map((row) => [
    byHash.get(row.whatsapp_message_id)!,
    row.status === 'pending' ? { status: 'pending', pendingMs: row.pending_ms } : { status: row.status },
  ]));
}

/** When the chat's driver was erased (seconds since the epoch); null if never. */
export async function chatErasedAt(db: Db, personal: PersonalData, chatId: string): Promise<number | null> {
  const result = await db.query<{ erased_at: Date }>('SELECT erased_at FROM chat_erasures WHERE chat_id = $1', [personal.index('chat', chatId)]);
  const row = result.rows[0];
  return row === undefined ? null : Math.ceil(row.erased_at.getTime() / 1000);
}

/** The sandbox's Chatwoot simulator starts empty on every start: forget what was relayed into the previous one. */
export async function forgetInboundRelays(db: Db): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM bridge_messages');
  return rowCount ?? 0;
}
