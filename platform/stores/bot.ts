import type { Db } from '../db.ts';

/** A Typebot session a chat started; its random link token is what the flow posts back with the registration. */
export async function insertBotSession(db: Db, session: { linkToken: string; chatId: string; chatwootConversationId: number | null }): Promise<void> {
  await db.query('INSERT INTO bot_sessions (link_token, chat_id, chatwoot_conversation_id) VALUES ($1, $2, $3)', [session.linkToken, session.chatId, session.chatwootConversationId]);
}

/** Typebot's id of the session the token was made for, once Typebot started it. */
export async function setBotSessionId(db: Db, linkToken: string, typebotSessionId: string): Promise<void> {
  await db.query('UPDATE bot_sessions SET typebot_session_id = $2 WHERE link_token = $1', [linkToken, typebotSessionId]);
}

/** Typebot's answer to a turn, if one was kept. */
export async function keptBotTurn<T>(db: Db, turnKey: string): Promise<T | null> {
  const result = await db.query<{ response: T }>('SELECT response FROM bot_turns WHERE turn_key = $1', [turnKey]);
  return result.rows[0]?.response ?? null;
}

/** Keeps Typebot's answer to a turn; the first kept answer wins, and is returned. */
export async function keepBotTurn<T>(db: Db, turnKey: string, response: T): Promise<T> {
  await db.query('INSERT INTO bot_turns (turn_key, response) VALUES ($1, $2) ON CONFLICT (turn_key) DO NOTHING', [turnKey, JSON.stringify(response)]);
  return (await keptBotTurn<T>(db, turnKey))!;
}
