/** The WhatsApp session's health row (migration 1772000000000_whatsapp_session). */
import type { SessionState } from '../../domain/whatsapp-session.ts';
import type { Db } from '../db.ts';

export interface SessionHealth {
  state: SessionState;
  since: Date;
  checkedAt: Date;
  phoneOffline: boolean;
  qrSha256: string | null;
  /** When the session left CONNECTED; null while connected. */
  downSince: Date | null;
}

export async function getSessionHealth(db: Db): Promise<SessionHealth | null> {
  const row = (await db.query('SELECT * FROM whatsapp_session_health')).rows[0] as Record<string, unknown> | undefined;
  return row === undefined ? null : {
    state: row.state as SessionState, since: row.since as Date, checkedAt: row.checked_at as Date, phoneOffline: row.phone_offline as boolean,
    qrSha256: row.qr_sha256 as string | null, downSince: row.down_since as Date | null,
  };
}

/** A webhook said the phone went away (or came back); the next check reads it. */
export async function recordPhoneOffline(db: Db, offline: boolean): Promise<void> {
  await db.query(
    `INSERT INTO whatsapp_session_health (state, phone_offline) VALUES ('CONNECTED', $1)
     ON CONFLICT (singleton) DO UPDATE SET phone_offline = excluded.phone_offline`,
    [offline],
  );
}

type Recorded = Omit<SessionHealth, 'checkedAt' | 'phoneOffline'>;

/**
 * Records the state this check saw, only if the row is still what the check read (`seen`; null: no
 * row yet): true when this check made the change, false when another check, running beside it,
 * recorded one first (then it posts nothing).
 */
export async function recordSessionHealth(db: Db, seen: Pick<SessionHealth, 'state' | 'qrSha256'> | null, health: Recorded): Promise<boolean> {
  const values = [health.state, health.since, health.qrSha256, health.downSince];
  if (seen === null) {
    const inserted = await db.query(
      `INSERT INTO whatsapp_session_health (state, since, checked_at, qr_sha256, down_since) VALUES ($1, $2, now(), $3, $4)
       ON CONFLICT (singleton) DO NOTHING`,
      values,
    );
    return inserted.rowCount === 1;
  }
  const updated = await db.query(
    `UPDATE whatsapp_session_health SET state = $1, since = $2, checked_at = now(), qr_sha256 = $3, down_since = $4
     WHERE state = $5 AND qr_sha256 IS NOT DISTINCT FROM $6`,
    [...values, seen.state, seen.qrSha256],
  );
  return updated.rowCount === 1;
}

/** A send went through: the phone is not offline, whatever a webhook lost or out of order last said. */
export async function phoneIsOnline(db: Db): Promise<void> {
  await db.query('UPDATE whatsapp_session_health SET phone_offline = false WHERE phone_offline');
}

/** Messages to WhatsApp claimed and not yet sent (they wait for the session). */
export async function countWaitingDeliveries(db: Db): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM whatsapp_deliveries WHERE status = 'sending'")).rows[0]?.n ?? 0;
}
