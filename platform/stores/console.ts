/** The reviewer console's accounts and sessions (migration 1771000000000_console). */
import { createHash } from 'node:crypto';
import type { Db } from '../db.ts';

export type ConsoleRole = 'reviewer' | 'operator';

export interface ConsoleAccount {
  name: string;
  role: ConsoleRole;
  passwordHash: string;
  createdAt: Date;
  disabledAt: Date | null;
}

const toAccount = (row: Record<string, unknown>): ConsoleAccount => ({
  name: row.name as string,
  role: row.role as ConsoleRole,
  passwordHash: row.password_hash as string,
  createdAt: row.created_at as Date,
  disabledAt: row.disabled_at as Date | null,
});

/** An account by name, disabled or not; null when there is none. */
export async function getAccount(db: Db, name: string): Promise<ConsoleAccount | null> {
  const result = await db.query('SELECT * FROM console_accounts WHERE name = $1', [name]);
  return result.rows[0] === undefined ? null : toAccount(result.rows[0] as Record<string, unknown>);
}

export async function listAccounts(db: Db): Promise<ConsoleAccount[]> {
  const result = await db.query('SELECT * FROM console_accounts ORDER BY name');
  return result.rows.map((row) => toAccount(row as Record<string, unknown>));
}

/** Adds an account; false when the name is taken. */
export async function addAccount(db: Db, account: { name: string; role: ConsoleRole; passwordHash: string }): Promise<boolean> {
  const result = await db.query(
    'INSERT INTO console_accounts (name, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
    [account.name, account.role, account.passwordHash],
  );
  return result.rowCount === 1;
}

/** Sets a new password and ends the account's open sessions (whoever knew the old one is out); false when there is no such account. */
export async function setPassword(db: Db, name: string, passwordHash: string): Promise<boolean> {
  const result = await db.query('UPDATE console_accounts SET password_hash = $2 WHERE name = $1', [name, passwordHash]);
  await db.query("DELETE FROM console_sessions WHERE data->>'account' = $1", [name]);
  return result.rowCount === 1;
}

/** Disables (or enables again) an account; a disabled account's sessions end too. False when there is no such account. */
export async function setAccountDisabled(db: Db, name: string, disabled: boolean): Promise<boolean> {
  const result = await db.query('UPDATE console_accounts SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END WHERE name = $1', [name, disabled]);
  if (disabled) await db.query("DELETE FROM console_sessions WHERE data->>'account' = $1", [name]);
  return result.rowCount === 1;
}

const sidHash = (sid: string) => createHash('sha256').update(sid).digest('hex');

/** A session's data, or undefined when there is none or it has expired. */
export async function getSession(db: Db, sid: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.query<{ data: Record<string, unknown> }>('SELECT data FROM console_sessions WHERE sid_sha256 = $1 AND expires_at > now()', [sidHash(sid)]);
  return result.rows[0]?.data;
}

export async function putSession(db: Db, sid: string, data: Record<string, unknown>, expiresAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO console_sessions (sid_sha256, data, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (sid_sha256) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
    [sidHash(sid), data, expiresAt],
  );
}

export async function deleteSession(db: Db, sid: string): Promise<void> {
  await db.query('DELETE FROM console_sessions WHERE sid_sha256 = $1', [sidHash(sid)]);
}

/** Removes expired sessions; returns how many. */
export async function deleteExpiredSessions(db: Db): Promise<number> {
  return (await db.query('DELETE FROM console_sessions WHERE expires_at <= now()')).rowCount ?? 0;
}
