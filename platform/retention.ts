/**
 * What is kept how long (README, "Personal data"): a rejected registration's data and documents,
 * chat media, the bot's records of its sessions. `purgeExpired` deletes what is past its period, or
 * with `dryRun` only says what would go. Each purge is audited (one row per registration made a
 * tombstone, one per kind of record with its count); the caller counts them in its metric.
 */
import type { RetentionReport, RetentionRules } from '../domain/retention.ts';
import type { PersonalData } from './crypto/personal-data.ts';
import type { Db } from './db.ts';
import type { DocumentStorage } from './storage/document-storage.ts';
import { insertAuditEntry } from './stores/audit.ts';
import { tombstoneDriver } from './stores/driver-data.ts';
import { countBotRecordsBefore, deleteBotRecordsBefore, rejectedBefore } from './stores/retention.ts';

export type { RetentionReport, RetentionRules };

export type RetentionKind = 'rejected_registration' | 'chat_media' | 'bot_turn' | 'bot_session';

const batch = 500;

export async function purgeExpired(deps: { db: Db; storage: DocumentStorage; personal: PersonalData }, rules: RetentionRules, dryRun: boolean, now = Date.now()): Promise<RetentionReport> {
  const { db, storage } = deps;
  const before = (ms: number) => new Date(now - ms);
  const rejected = await rejectedBefore(db, before(rules.rejectedAfterMs), batch);
  const media = (await storage.list('media')).filter((file) => file.modifiedAt < before(rules.chatMediaAfterMs)).map((file) => file.key);
  const botCutoff = before(rules.botRecordsAfterMs);
  const report: RetentionReport = {
    dryRun, rejectedRegistrations: rejected, chatMedia: media.length,
    botTurns: await countBotRecordsBefore(db, 'bot_turns', botCutoff), botSessions: await countBotRecordsBefore(db, 'bot_sessions', botCutoff),
  };
  if (dryRun) return report;

  const purged = (kind: RetentionKind, registrationId: string | null, details: Record<string, unknown> = {}) =>
    insertAuditEntry(db, { actor: 'system', action: 'retention_purge', outcome: 'accepted', registrationId, remoteAddress: null, details: { kind, ...details } });
  for (const id of rejected) {
    await storage.deletePrefix(`registrations/${id}`);
    await tombstoneDriver(db, deps.personal, [id], []);
    await purged('rejected_registration', id);
  }
  for (const key of media) await storage.delete(key);
  if (media.length > 0) await purged('chat_media', null, { count: media.length });
  for (const [table, kind] of [['bot_turns', 'bot_turn'], ['bot_sessions', 'bot_session']] as const) {
    const deleted = await deleteBotRecordsBefore(db, table, botCutoff);
    if (deleted > 0) await purged(kind, null, { count: deleted });
  }
  return report;
}
