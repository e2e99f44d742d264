/**
 * What the reviewer console reads beyond a registration itself: the queue (counts per status,
 * search by id, NIF, phone or name), a registration's earlier field revisions, its documents' every
 * revision, the WhatsApp messages sent about it, and the audit log with filters.
 */
import type { RegistrationStatus } from '../../domain/registration.ts';
import type { PersonalData } from '../crypto/personal-data.ts';
import type { Db } from '../db.ts';
import { documentsOf } from './driver-data.ts';
import { driverFieldsOfRevision, selectRegistrations, toRegistration, type DocumentRow, type DriverFields, type RegistrationRow } from './registration-rows.ts';

/** A WHERE clause built a condition at a time, each `?` numbered as its parameter. */
function conditions() {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    params.push(value);
    where.push(condition.replace('?', `$${params.length}`));
  };
  return { where, params, add };
}

export type QueueSearch =
  | { by: 'id'; id: string }
  /** Digits that are a valid NIF, a valid phone, or both (a 9… number may be either): either matches. */
  | { by: 'number'; nif: string | null; phone: string | null }
  /** Names are sealed: matched after opening, among at most `nameScanLimit` registrations of the status. */
  | { by: 'name'; words: string[] };

export interface QueueFilter {
  status?: RegistrationStatus;
  oldestFirst: boolean;
  search?: QueueSearch;
  limit: number;
  offset: number;
}

/** How many registrations a name search opens at most (newest first): a back office's queue, not an archive. */
export const nameScanLimit = 5_000;

/** Lower case without accents: "JOÃO" finds "João". */
export const foldName = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export async function countByStatus(db: Db): Promise<Map<RegistrationStatus, number>> {
  const result = await db.query<{ status: RegistrationStatus; total: number }>('SELECT status, count(*)::int AS total FROM registrations GROUP BY status');
  return new Map(result.rows.map((row) => [row.status, row.total]));
}

/** A page of the queue and how many match in all. */
export async function searchQueue(db: Db, personal: PersonalData, filter: QueueFilter): Promise<{ items: RegistrationRow[]; total: number; scanned?: boolean }> {
  const { where, params, add } = conditions();
  if (filter.status !== undefined) add('status = ?', filter.status);
  const search = filter.search;
  if (search?.by === 'id') add('id = ?', search.id);
  if (search?.by === 'number') {
    params.push(search.nif === null ? null : personal.index('nif', search.nif), search.phone === null ? null : personal.index('phone', search.phone));
    where.push(`(nif_index = $${params.length - 1} OR phone_index = $${params.length})`);
  }
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const order = `ORDER BY created_at ${filter.oldestFirst ? 'ASC' : 'DESC'}, id`;
  if (search?.by === 'name') {
    const scanned = await db.query(`${selectRegistrations} ${clause} ORDER BY created_at DESC LIMIT ${nameScanLimit}`, params);
    const rows = scanned.rows.map((row) => toRegistration(row as Record<string, unknown>, personal));
    const matching = rows.filter((row) => search.words.every((word) => foldName(row.fullName).includes(word)));
    if (filter.oldestFirst) matching.reverse();
    return { items: matching.slice(filter.offset, filter.offset + filter.limit), total: matching.length, scanned: scanned.rows.length === nameScanLimit };
  }
  const [page, count] = await Promise.all([
    db.query(`${selectRegistrations} ${clause} ${order} LIMIT ${filter.limit} OFFSET ${filter.offset}`, params),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM registrations ${clause}`, params),
  ]);
  return { items: page.rows.map((row) => toRegistration(row as Record<string, unknown>, personal)), total: count.rows[0]?.total ?? 0 };
}

export interface FieldRevision {
  revision: number;
  fields: DriverFields;
  replacedAt: Date;
}

/** The registration's fields before each correction replaced them, oldest first (revision 1 is the first submission). */
export async function fieldRevisions(db: Db, personal: PersonalData, registration: RegistrationRow): Promise<FieldRevision[]> {
  const result = await db.query(
    `SELECT r.*, k.master_key_id AS data_key_master, k.wrapped AS data_key_wrapped, g.data_key_id
     FROM registration_field_revisions r JOIN registrations g ON g.id = r.registration_id LEFT JOIN data_keys k ON k.id = g.data_key_id
     WHERE r.registration_id = $1 ORDER BY r.revision`,
    [registration.id],
  );
  return result.rows.map((row: Record<string, unknown>) => ({
    revision: row.revision as number,
    fields: driverFieldsOfRevision({ ...row, id: registration.id }, personal),
    replacedAt: row.replaced_at as Date,
  }));
}

/** Every revision of the registration's documents, superseded ones included. */
export const documentRevisions = (db: Db, registrationId: string): Promise<DocumentRow[]> => documentsOf(db, [registrationId]);

export interface DeliveryRecord {
  status: 'sending' | 'sent' | 'failed';
  firstAttemptAt: Date;
  sentAt: Date | null;
}

/** The WhatsApp deliveries among `keys` (business keys, kept as keyed hashes), by key. */
export async function deliveriesByKey(db: Db, personal: PersonalData, keys: string[]): Promise<Map<string, DeliveryRecord>> {
  const byHash = new Map(keys.map((key) => [personal.index('delivery', key), key]));
  const result = await db.query<{ delivery_key: string; status: DeliveryRecord['status']; first_attempt_at: Date; sent_at: Date | null }>(
    'SELECT delivery_key, status, first_attempt_at, sent_at FROM whatsapp_deliveries WHERE delivery_key = ANY($1)', [[...byHash.keys()]],
  );
  return new Map(result.rows.map((row) => [byHash.get(row.delivery_key)!, { status: row.status, firstAttemptAt: row.first_attempt_at, sentAt: row.sent_at }]));
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  outcome: string;
  registrationId: string | null;
  documentId: string | null;
  remoteAddress: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: string;
  registrationId?: string;
  since?: Date;
  until?: Date;
  limit: number;
  offset: number;
}

/** The audit log, newest first, with filters; `registrationId` alone gives a registration's trail. */
export async function listAudit(db: Db, filter: AuditFilter): Promise<{ items: AuditRow[]; total: number }> {
  const { where, params, add } = conditions();
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
  if (filter.registrationId !== undefined) add('registration_id = ?', filter.registrationId);
  if (filter.since !== undefined) add('at >= ?', filter.since);
  if (filter.until !== undefined) add('at < ?', filter.until);
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const [page, count] = await Promise.all([
    db.query(`SELECT id, at, actor, action, outcome, registration_id, document_id, remote_address, details FROM audit_log ${clause} ORDER BY id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}`, params),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM audit_log ${clause}`, params),
  ]);
  return {
    items: page.rows.map((row: Record<string, unknown>) => ({
      id: String(row.id), at: row.at as Date, actor: row.actor as string, action: row.action as string, outcome: row.outcome as string,
      registrationId: row.registration_id as string | null, documentId: row.document_id as string | null, remoteAddress: row.remote_address as string | null,
      details: row.details as Record<string, unknown>,
    })),
    total: count.rows[0]?.total ?? 0,
  };
}
