import { openField, sealField, type PersonalData } from '../crypto/personal-data.ts';
import type { Db } from '../db.ts';
import { chatSubject, subjectKey } from './data-keys.ts';

/** A Typebot session a chat started; its random link token is what the flow posts back with the registration. */
export async function insertBotSession(db: Db, session: { linkToken: string; chatId: string; chatwootConversationId: number | null }): Promise<void> {
  await db.query('INSERT INTO bot_sessions (link_token, chat_id, chatwoot_conversation_id) VALUES ($1, $2, $3)', [session.linkToken, session.chatId, session.chatwootConversationId]);
}

/** Typebot's id of the session the token was made for, once Typebot started it. */
export async function setBotSessionId(db: Db, linkToken: string, typebotSessionId: string): Promise<void> {
  await db.query('UPDATE bot_sessions SET typebot_session_id = $2 WHERE link_token = $1', [linkToken, typebotSessionId]);
}

/**
 * Typebot's answer to a turn, if one was kept. Answers are kept sealed with the chat's data key (they
 * quote the driver: "Confirme os seus dados"); one kept before that is read as it is.
 */
export async function keptBotTurn<T>(db: Db, personal: PersonalData, chatId: string, turnKey: string): Promise<T | null> {
  const result = await db.query<{ response: T | { sealed: string } }>('SELECT response FROM bot_turns WHERE turn_key = $1', [turnKey]);
  const kept = result.rows[0]?.response;
  if (kept === undefined) return null;
  if (kept === null || typeof kept !== 'object' || !('sealed' in kept)) return kept;
  return JSON.parse(openField(await subjectKey(db, personal, chatSubject(personal, chatId)), `bot_turns|${turnKey}`, kept.sealed)) as T;
}

/** Keeps Typebot's answer to a turn; the first kept answer wins, and is returned. */
export async function keepBotTurn<T>(db: Db, personal: PersonalData, chatId: string, turnKey: string, response: T): Promise<T> {
  const sealed = sealField(await subjectKey(db, personal, chatSubject(personal, chatId)), `bot_turns|${turnKey}`, JSON.stringify(response));
  await db.query('INSERT INTO bot_turns (turn_key, response) VALUES ($1, $2) ON CONFLICT (turn_key) DO NOTHING', [turnKey, JSON.stringify({ sealed })]);
  return (await keptBotTurn<T>(db, personal, chatId, turnKey))!;
}
