import type { Db } from '../db.ts';

export interface AuditEntry {
  actor: string;
  /** `read_stored_file`: a stored file that did not open (changed, moved, or its master key not held), by the system. */
  action: 'approve' | 'reject' | 'request_correction' | 'view_document' | 'view_thumbnail' | 'view_registration' | 'read_stored_file';
  outcome: 'accepted' | 'refused' | 'failed';
  /** Null for what concerns no registration (a chat's media). */
  registrationId: string | null;
  documentId?: string;
  remoteAddress: string | null;
  details?: Record<string, unknown>;
}

/** Who did what to which registration, when and from where. */
export async function insertAuditEntry(db: Db, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, action, outcome, registration_id, document_id, remote_address, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [entry.actor, entry.action, entry.outcome, entry.registrationId, entry.documentId ?? null, entry.remoteAddress, entry.details ?? {}],
  );
}

/**
 * A stored file that did not open, audited as the system's: which registration (from the key; none
 * for a chat's media, whose key names the chat) and why. The key itself is not kept: it may hold a phone.
 */
export async function auditBrokenRead(db: Db, key: string, reason: string): Promise<void> {
  const registrationId = /^registrations\/([0-9a-f-]{36})\//.exec(key)?.[1] ?? null;
  await insertAuditEntry(db, {
    actor: 'system', action: 'read_stored_file', outcome: 'failed', registrationId, remoteAddress: null,
    details: { reason, folder: key.split('/')[0] ?? '' },
  });
}
