import type { FastifyRequest } from 'fastify';
import type { Db } from '../platform/db.ts';
import { insertAuditEntry, type AuditEntry } from '../platform/stores/audit.ts';

export type ReviewerAction = Omit<AuditEntry, 'actor' | 'remoteAddress'>;

/** Records a reviewer's action with who did it and from where: every decision and every view. */
export async function audit(db: Db, request: FastifyRequest, entry: ReviewerAction): Promise<void> {
  await insertAuditEntry(db, { ...entry, actor: request.reviewer ?? 'anonymous', remoteAddress: request.ip });
}
