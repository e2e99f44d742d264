/**
 * Everything held about one driver, for an access request (export) and an erasure: their
 * registrations (found by one registration, a NIF or a phone; a driver may have registered more than
 * once), each with every document revision, the audit trail and the WhatsApp messages sent about it.
 */
import { inTransaction, type Db, type DbClient } from '../db.ts';
import type { PersonalData } from '../crypto/personal-data.ts';
import { chatSubject, destroySubjectKeys, legacyChatSubject, registrationSubject } from './data-keys.ts';
import { selectRegistrations, toDocument, toRegistration, type DocumentRow, type RegistrationRow } from './registration-rows.ts';

type Queryable = Db | DbClient;

export type DriverLookup = { registrationId: string } | { nif: string } | { phone: string };

/** The driver's registrations, oldest first: every registration sharing the NIF or the phone of the one named (erased ones are none). */
export async function registrationsOfDriver(db: Queryable, personal: PersonalData, lookup: DriverLookup): Promise<RegistrationRow[]> {
  // Found by the blind indexes of the NIF and the phone (their fields are sealed).
  let nifIndex: string | null = null;
  let phoneIndex: string | null = null;
  if ('registrationId' in lookup) {
    const found = await db.query<{ nif_index: string; phone_index: string }>("SELECT nif_index, phone_index FROM registrations WHERE id = $1 AND status <> 'erased'", [lookup.registrationId]);
    if (found.rows[0] === undefined) return [];
    ({ nif_index: nifIndex, phone_index: phoneIndex } = found.rows[0]);
  } else if ('nif' in lookup) {
    nifIndex = personal.index('nif', lookup.nif);
  } else {
    phoneIndex = personal.index('phone', lookup.phone);
  }
  const result = await db.query(`${selectRegistrations} WHERE (nif_index = $1 OR phone_index = $2) AND status <> 'erased' ORDER BY created_at, id`, [nifIndex, phoneIndex]);
  return result.rows.map((row) => toRegistration(row as Record<string, unknown>, personal));
}

/** Every document of the registrations, superseded revisions included, in order. */
export async function documentsOf(db: Queryable, registrationIds: string[]): Promise<DocumentRow[]> {
  const result = await db.query('SELECT * FROM registration_documents WHERE registration_id = ANY($1) ORDER BY registration_id, kind, revision', [registrationIds]);
  return result.rows.map((row) => toDocument(row as Record<string, unknown>));
}

export interface AuditRecord {
  registrationId: string;
  at: Date;
  actor: string;
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

export async function auditOf(db: Queryable, registrationIds: string[]): Promise<AuditRecord[]> {
  const result = await db.query<{ registration_id: string; at: Date; actor: string; action: string; outcome: string; details: Record<string, unknown> }>(
    'SELECT registration_id, at, actor, action, outcome, details FROM audit_log WHERE registration_id = ANY($1) ORDER BY id', [registrationIds],
  );
  return result.rows.map((row) => ({ registrationId: row.registration_id, at: row.at, actor: row.actor, action: row.action, outcome: row.outcome, details: row.details }));
}

export interface SentMessage {
  registrationId: string;
  origin: string;
  status: string;
  firstAttemptAt: Date;
  sentAt: Date | null;
}

/** The WhatsApp messages sent to the driver about these registrations (the decisions), without their text (not kept). */
export async function messagesAbout(db: Queryable, registrationIds: string[]): Promise<SentMessage[]> {
  const result = await db.query<{ registration_id: string; origin: string; status: string; first_attempt_at: Date; sent_at: Date | null }>(
    'SELECT registration_id, origin, status, first_attempt_at, sent_at FROM whatsapp_deliveries WHERE registration_id = ANY($1) ORDER BY first_attempt_at', [registrationIds],
  );
  return result.rows.map((row) => ({ registrationId: row.registration_id, origin: row.origin, status: row.status, firstAttemptAt: row.first_attempt_at, sentAt: row.sent_at }));
}

/**
 * The registrations' tombstones: every personal field emptied (the id, the dates and the decision
 * reached are kept), their document rows, the WhatsApp deliveries and the bot's and bridge's records
 * of their chats gone (the chats' erasure time kept, by keyed hash, so no history import brings them back),
 * and the data keys of the registrations and chats destroyed, so any copy of their files or fields
 * left elsewhere (a backup) no longer opens. One transaction. The files are the caller's to delete first.
 */
export async function tombstoneDriver(db: Db, personal: PersonalData, registrationIds: string[], chatIds: string[]): Promise<void> {
  // The bridge's and the bot's tables name a chat by its keyed hash.
  const chats = chatIds.map((chatId) => personal.index('chat', chatId));
  await inTransaction(db, async (client) => {
    await client.query(
      `UPDATE registrations SET status_before_erasure = status, status = 'erased', erased_at = now(), updated_at = now(),
         full_name = '', nif = '', phone = '', email = '', address = '', postal_code = '', city = '', submission_fingerprint = '',
         data_key_id = NULL, nif_index = NULL, phone_index = NULL, whatsapp_chat_index = NULL,
         rejection_reason = NULL, correction_items = NULL, correction_message = NULL, correction_code_sha256 = NULL,
         correction_code_expires_at = NULL, correction_code_unsent = NULL, whatsapp_chat_id = NULL, chatwoot_conversation_id = NULL
       WHERE id = ANY($1)`,
      [registrationIds],
    );
    await client.query('DELETE FROM registration_documents WHERE registration_id = ANY($1)', [registrationIds]);
    await client.query('DELETE FROM registration_field_revisions WHERE registration_id = ANY($1)', [registrationIds]);
    await client.query('DELETE FROM whatsapp_deliveries WHERE registration_id = ANY($1) OR chat_id = ANY($2)', [registrationIds, chats]);
    for (const table of ['bot_sessions', 'bridge_messages', 'bot_turns', 'chat_handoffs']) await client.query(`DELETE FROM ${table} WHERE chat_id = ANY($1)`, [chats]);
    // A history import never brings back what was erased (platform/stores/relays.ts, chatErasedAt).
    await client.query(
      'INSERT INTO chat_erasures (chat_id) SELECT unnest($1::text[]) ON CONFLICT (chat_id) DO UPDATE SET erased_at = now()',
      [chats],
    );
    await destroySubjectKeys(client, personal, [...registrationIds.map(registrationSubject), ...chatIds.flatMap((chatId) => [chatSubject(personal, chatId), legacyChatSubject(chatId)])]);
  });
}
