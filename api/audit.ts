import type { FastifyRequest } from 'fastify';
import type { Db } from '../platform/db.ts';

export interface AuditEntry {
  action: 'approve' | 'reject' | 'request_correction' | 'view_document' | 'view_thumbnail' | 'view_registration';
  outcome: 'accepted' | 'refused' | 'failed';
  registrationId: string;
  documentId?: string;
  details?: Record<string, unknown>;
}

/** Who did what to which registration, when and from where: every decision and every document view. */
export async function audit(db: Db, request: FastifyRequest, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, action, outcome, registration_id, document_id, remote_address, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [request.reviewer ?? 'anonymous', entry.action, entry.outcome, entry.registrationId, entry.documentId ?? null, request.ip, entry.details ?? {}],
  );
}
