/**
 * `bot_sessions`, `bot_turns`. A chat's WhatsApp id holds the phone: a session keeps its keyed hash
 * (what is compared) and the id itself sealed with the chat's key (what the intake reads back from a
 * link token); a turn is kept under the keyed hash of its key, its answer sealed with the chat's key.
 */
import { dataKeyIdOf, openField, sealField, unwrapDataKey, type PersonalData } from '../crypto/personal-data.ts';
import type { Db, DbClient } from '../db.ts';
import { chatKey } from './data-keys.ts';

type Queryable = Db | DbClient;

/** A session's sealed chat opens only in its own row. */
export const sessionBinding = (linkToken: string) => `bot_sessions.chat|${linkToken}`;

/** A Typebot session a chat started; its random link token is what the flow posts back with the registration. */
export async function insertBotSession(db: Db, personal: PersonalData, session: { linkToken: string; chatId: string; chatwootConversationId: number | null }): Promise<void> {
  const key = await chatKey(db, personal, session.chatId);
  await db.query(
    'INSERT INTO bot_sessions (link_token, chat_id, chat_sealed, data_key_id, chatwoot_conversation_id) VALUES ($1, $2, $3, $4, $5)',
    [session.linkToken, personal.index('chat', session.chatId), sealField(key, sessionBinding(session.linkToken), session.chatId), dataKeyIdOf(key.id), session.chatwootConversationId],
  );
}

/** The session a link token was made for: its chat and Chatwoot conversation, or null for an unknown token (or an erased chat). */
export async function botSessionOf(db: Queryable, personal: PersonalData, linkToken: string): Promise<{ chatId: string; chatwootConversationId: number | null } | null> {
  const result = await db.query<{ chat_sealed: string; master_key_id: string | null; wrapped: Buffer | null; data_key_id: string | null; chatwoot_conversation_id: string | null }>(
    `SELECT s.chat_sealed, s.data_key_id, k.master_key_id, k.wrapped, s.chatwoot_conversation_id
     FROM bot_sessions s LEFT JOIN data_keys k ON k.id = s.data_key_id WHERE s.link_token = $1`,
    [linkToken],
  );
  const row = result.rows[0];
  if (row === undefined || row.wrapped === null || row.master_key_id === null || row.data_key_id === null) return null;
  const key = unwrapDataKey(personal.keyring, { id: row.data_key_id, masterKeyId: row.master_key_id, wrapped: row.wrapped });
  return {
    chatId: openField(key, sessionBinding(linkToken), row.chat_sealed),
    chatwootConversationId: row.chatwoot_conversation_id === null ? null : Number(row.chatwoot_conversation_id),
  };
}

/** Typebot's id of the session the token was made for, once Typebot started it. */
export async function setBotSessionId(db: Db, linkToken: string, typebotSessionId: string): Promise<void> {
  await db.query('UPDATE bot_sessions SET typebot_session_id = $2 WHERE link_token = $1', [linkToken, typebotSessionId]);
}

/**
 * Typebot's answer to a turn, if one was kept. Answers are kept sealed with the chat's data key (they
 * quote the driver: "Confirme os seus dados").
 */
export async function keptBotTurn<T>(db: Db, personal: PersonalData, chatId: string, turnKey: string): Promise<T | null> {
  const kept = await keptResponse(db, personal, turnKey);
  return kept === undefined ? null : JSON.parse(openField(await chatKey(db, personal, chatId), turnBinding(turnKey), kept.sealed)) as T;
}

const turnBinding = (turnKey: string) => `bot_turns|${turnKey}`;

async function keptResponse(db: Db, personal: PersonalData, turnKey: string): Promise<{ sealed: string } | undefined> {
  const result = await db.query<{ response: { sealed: string } }>('SELECT response FROM bot_turns WHERE turn_key = $1', [personal.index('turn', turnKey)]);
  return result.rows[0]?.response;
}

/**
 * A chat's bot session has ended: its kept turns go (their answers quote the driver), but for the
 * turn that ended it, which a retry of that step reads again; retention removes that one.
 */
export async function forgetBotTurns(db: Db, personal: PersonalData, chatId: string, endingTurnKey: string): Promise<number> {
  const result = await db.query('DELETE FROM bot_turns WHERE chat_id = $1 AND turn_key <> $2', [personal.index('chat', chatId), personal.index('turn', endingTurnKey)]);
  return result.rowCount ?? 0;
}

/** Keeps Typebot's answer to a turn; the first kept answer wins, and is returned. */
export async function keepBotTurn<T>(db: Db, personal: PersonalData, chatId: string, turnKey: string, response: T): Promise<T> {
  const key = await chatKey(db, personal, chatId);
  const sealed = sealField(key, turnBinding(turnKey), JSON.stringify(response));
  await db.query('INSERT INTO bot_turns (turn_key, chat_id, response) VALUES ($1, $2, $3) ON CONFLICT (turn_key) DO NOTHING', [
    personal.index('turn', turnKey), personal.index('chat', chatId), JSON.stringify({ sealed }),
  ]);
  // The first kept answer wins: read back what is there, with the key already in hand.
  return JSON.parse(openField(key, turnBinding(turnKey), (await keptResponse(db, personal, turnKey))!.sealed)) as T;
}
