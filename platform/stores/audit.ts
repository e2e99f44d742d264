import type { Db } from '../db.ts';

export interface AuditEntry {
  actor: string;
  /** `read_stored_file`: a stored file that did not open (changed, moved, or its master key not held), by the system. */
  action:
    | 'approve' | 'reject' | 'request_correction' | 'view_document' | 'view_thumbnail' | 'view_registration' | 'list_registrations'
    | 'read_stored_file' | 'export_driver' | 'erase_driver' | 'retention_purge' | 'decode_payloads' | 'find_chat'
    /** An operator started a history import (one chat's, or every chat's). */
    | 'import_history'
    /** A refused reviewer credential (no token, an unknown one). */
    | 'authenticate'
    /** The console: a sign-in (accepted, refused: wrong name or password, disabled, too many), a sign-out; the audit log read. */
    | 'sign_in' | 'sign_out' | 'view_audit'
    /** An operator disabled or enabled a console account from the console (the command's changes are the operator's shell's). */
    | 'disable_account' | 'enable_account'
    /** Reviewers reminded that a registration waits (by the system). */
    | 'remind_reviewers';
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

export interface AuditChainReport {
  rows: number;
  ok: boolean;
  /** What does not hold, by row id: a row changed, a row gone, rows off the chain. */
  problems: string[];
}

/**
 * Walks the audit log's hash chain (migration 1767000000000): every row's hash recomputed from its
 * fields by the database's own `audit_log_row_hash`, every row reached from the first by its
 * successor, the last one the chain's head. A changed row, a row removed (in the middle or at the
 * end) or one added off the chain is named.
 */
export async function verifyAuditChain(db: Db): Promise<AuditChainReport> {
  const { rows } = await db.query<{ id: string; prev_hash: string; row_hash: string; recomputed: string }>(
    'SELECT id, prev_hash, row_hash, audit_log_row_hash(a) AS recomputed FROM audit_log a ORDER BY id',
  );
  const head = (await db.query<{ row_hash: string }>('SELECT row_hash FROM audit_chain_head')).rows[0]?.row_hash ?? '';
  const problems: string[] = [];
  const byHash = new Map(rows.map((row) => [row.row_hash, row]));
  const successor = new Map(rows.map((row) => [row.prev_hash, row]));
  for (const row of rows) {
    if (row.row_hash !== row.recomputed) problems.push(`row ${row.id}: its fields no longer match its hash (changed)`);
    if (row.prev_hash !== '' && !byHash.has(row.prev_hash)) problems.push(`row ${row.id}: the row before it is gone`);
  }
  let visited = 0;
  let last = '';
  for (let row = successor.get(''); row !== undefined; row = successor.get(row.row_hash)) {
    visited += 1;
    last = row.row_hash;
    if (visited > rows.length) break;
  }
  if (visited !== rows.length) problems.push(`${rows.length - visited} row(s) are not on the chain from its first row`);
  if (last !== head) problems.push('the chain does not end at its recorded head: rows were removed from its end');
  return { rows: rows.length, ok: problems.length === 0, problems };
}
