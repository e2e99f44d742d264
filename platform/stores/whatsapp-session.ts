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

export async function saveSessionHealth(db: Db, health: Omit<SessionHealth, 'checkedAt' | 'phoneOffline'>): Promise<void> {
  await db.query(
    `INSERT INTO whatsapp_session_health (state, since, checked_at, qr_sha256, down_since) VALUES ($1, $2, now(), $3, $4)
     ON CONFLICT (singleton) DO UPDATE SET state = excluded.state, since = excluded.since, checked_at = now(), qr_sha256 = excluded.qr_sha256, down_since = excluded.down_since`,
    [health.state, health.since, health.qrSha256, health.downSince],
  );
}

/** Messages to WhatsApp claimed and not yet sent (they wait for the session). */
export async function countWaitingDeliveries(db: Db): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM whatsapp_deliveries WHERE status = 'sending'")).rows[0]?.n ?? 0;
}
