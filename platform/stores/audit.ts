import type { Db } from '../db.ts';

export interface AuditEntry {
  actor: string;
  action: 'approve' | 'reject' | 'request_correction' | 'view_document' | 'view_thumbnail' | 'view_registration';
  outcome: 'accepted' | 'refused' | 'failed';
  registrationId: string;
  documentId?: string;
  remoteAddress: string;
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
