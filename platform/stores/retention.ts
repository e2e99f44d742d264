import type { Db } from '../db.ts';

/** Rejected registrations decided before `cutoff`, oldest first. */
export async function rejectedBefore(db: Db, cutoff: Date, limit: number): Promise<string[]> {
  const result = await db.query<{ id: string }>("SELECT id FROM registrations WHERE status = 'rejected' AND decided_at < $1 ORDER BY decided_at LIMIT $2", [cutoff, limit]);
  return result.rows.map((row) => row.id);
}

/** The bot's records made before `cutoff`: kept turns, sessions' link tokens. */
export type BotRecords = 'bot_turns' | 'bot_sessions';

export async function countBotRecordsBefore(db: Db, table: BotRecords, cutoff: Date): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE created_at < $1`, [cutoff])).rows[0]!.n);
}

export async function deleteBotRecordsBefore(db: Db, table: BotRecords, cutoff: Date): Promise<number> {
  return (await db.query(`DELETE FROM ${table} WHERE created_at < $1`, [cutoff])).rowCount ?? 0;
}
