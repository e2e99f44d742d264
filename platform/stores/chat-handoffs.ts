/**
 * `chat_handoffs`: events kept until their chat's workflow has them (api/hand-offs/agent-inbox.ts),
 * per bridge (its task queue: systems sharing a database never take each other's).
 * A chat's rows go in id order: a row is not taken while an earlier one of its chat is held by a
 * process handing it off or waits to be tried again, so a reply Temporal refused is not overtaken.
 */
import { eventKey, type ChatEvent } from '../../domain/chat.ts';
import { dataKeyIdOf, openField, sealField, unwrapDataKey, type PersonalData } from '../crypto/personal-data.ts';
import { SealBroken } from '../crypto/envelope.ts';
import { inTransaction, type Db } from '../db.ts';
import { chatKey } from './data-keys.ts';

export interface KeptHandOff {
  id: string;
  /** The chat's keyed hash: rows of one chat go one after the other. */
  chat: string;
  chatId: string;
  event: ChatEvent;
  attempts: number;
}

const binding = (eventHash: string) => `chat_handoffs.sealed|${eventHash}`;

/**
 * Keeps the event; undefined when it was kept already (a doubled delivery). `held` says whether the
 * caller holds it for `holdMs` to hand it off at once: only when no earlier row of its chat waits
 * (that one goes first, by `claimDueHandOffs`).
 */
export async function keepHandOff(db: Db, personal: PersonalData, queue: string, chatId: string, event: ChatEvent, holdMs: number): Promise<{ id: string; held: boolean } | undefined> {
  const key = await chatKey(db, personal, chatId);
  const eventHash = personal.index('message', eventKey(event));
  const chat = personal.index('chat', chatId);
  const result = await db.query<{ id: string; held: boolean }>(
    `INSERT INTO chat_handoffs (queue, event_key, chat_id, data_key_id, sealed, due_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN EXISTS (SELECT 1 FROM chat_handoffs WHERE queue = $1 AND chat_id = $3) THEN now() ELSE now() + $6 * interval '1 millisecond' END)
     ON CONFLICT (queue, event_key) DO NOTHING
     RETURNING id, due_at > now() AS held`,
    [queue, eventHash, chat, dataKeyIdOf(key.id), sealField(key, binding(eventHash), JSON.stringify({ chatId, event })), holdMs],
  );
  return result.rows[0];
}

interface ClaimedRow {
  id: string;
  event_key: string;
  chat_id: string;
  data_key_id: string;
  sealed: string;
  attempts: number;
  master_key_id: string | null;
  wrapped: Buffer | null;
}

/** Rows that did not open with the keys this process holds (a master key it lacks, or changed bytes): put off, not handed off. */
const unopenedPauseMs = 5 * 60_000;

/**
 * Up to `limit` of the queue's due rows, oldest first, held for `holdMs` by the caller; none of a chat
 * whose earlier row is still held or waiting. Rows whose chat's key was destroyed (an erasure) are
 * deleted; rows that do not open otherwise are put off, and counted in `unopened`.
 */
export async function claimDueHandOffs(db: Db, personal: PersonalData, queue: string, limit: number, holdMs: number): Promise<{ due: KeptHandOff[]; unopened: number }> {
  // One claim at a time per queue: two claims side by side would each see the other's rows as still
  // due (their update not yet committed) and could split one chat's rows between two instances.
  const result = await inTransaction(db, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('chat_handoffs|' || $1))", [queue]);
    return client.query<ClaimedRow>(
      `WITH candidates AS (
         SELECT h.id FROM chat_handoffs h
         WHERE h.queue = $3 AND h.due_at <= now()
           AND NOT EXISTS (SELECT 1 FROM chat_handoffs e WHERE e.queue = h.queue AND e.chat_id = h.chat_id AND e.id < h.id AND e.due_at > now())
         ORDER BY h.id LIMIT $1 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE chat_handoffs h SET due_at = now() + $2 * interval '1 millisecond', attempts = h.attempts + 1
         FROM candidates c WHERE h.id = c.id
         RETURNING h.id, h.event_key, h.chat_id, h.data_key_id, h.sealed, h.attempts
       )
       SELECT claimed.*, k.master_key_id, k.wrapped FROM claimed LEFT JOIN data_keys k ON k.id = claimed.data_key_id ORDER BY claimed.id`,
      [limit, holdMs, queue],
    );
  });
  const due: KeptHandOff[] = [];
  const erased: string[] = [];
  const unopened: string[] = [];
  for (const row of result.rows) {
    const opened = openRow(personal, row);
    if (opened === 'erased') erased.push(row.id);
    else if (opened === 'unopened') unopened.push(row.id);
    else due.push({ id: row.id, chat: row.chat_id, attempts: row.attempts, ...opened });
  }
  if (erased.length > 0) await db.query('DELETE FROM chat_handoffs WHERE id = ANY($1)', [erased]);
  if (unopened.length > 0) await tryAgainLater(db, unopened, unopenedPauseMs);
  return { due, unopened: unopened.length };
}

function openRow(personal: PersonalData, row: ClaimedRow): { chatId: string; event: ChatEvent } | 'erased' | 'unopened' {
  if (row.master_key_id === null || row.wrapped === null) return 'erased';
  try {
    const key = unwrapDataKey(personal.keyring, { id: row.data_key_id, masterKeyId: row.master_key_id, wrapped: row.wrapped });
    return JSON.parse(openField(key, binding(row.event_key), row.sealed)) as { chatId: string; event: ChatEvent };
  } catch (error) {
    if (error instanceof SealBroken) return 'unopened';
    throw error;
  }
}

/** The row is in its chat's workflow. */
export async function handedOff(db: Db, id: string): Promise<void> {
  await db.query('DELETE FROM chat_handoffs WHERE id = $1', [id]);
}

/** The rows go back to wait `delayMs` before they are tried again. */
export async function tryAgainLater(db: Db, ids: string[], delayMs: number): Promise<void> {
  await db.query("UPDATE chat_handoffs SET due_at = now() + $2 * interval '1 millisecond' WHERE id = ANY($1)", [ids, delayMs]);
}

/** How many rows wait, and how long the oldest has (seconds; 0 when none): the metrics show a hand-off that is stuck. */
export async function waitingHandOffs(db: Db, queue: string): Promise<{ count: number; oldestSeconds: number }> {
  const result = await db.query<{ count: string; oldest: number | null }>(
    'SELECT count(*) AS count, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS oldest FROM chat_handoffs WHERE queue = $1', [queue],
  );
  const row = result.rows[0]!;
  return { count: Number(row.count), oldestSeconds: row.oldest ?? 0 };
}
