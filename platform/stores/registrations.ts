import { inTransaction, type Db, type DbClient } from '../db.ts';
import type { Decision, RegistrationStatus } from '../../domain/registration.ts';
import type { PersonalData } from '../crypto/personal-data.ts';
import { botSessionOf } from './bot.ts';
import { sealChatOfRegistration, sealDriverFields, selectRegistrations, toDocument, toRegistration, type DocumentRow, type DriverFields, type RegistrationRow } from './registration-rows.ts';

type Queryable = Db | DbClient;

export interface NewDocument {
  id: string;
  kind: DocumentRow['kind'];
  revision: number;
  receivedKey: string;
  receivedSha256: string;
  mime: string;
  sizeBytes: number;
}

/** The live registration holding a NIF, as it is now (not locked: see `lockLiveRegistrationByNif`). */
export async function liveRegistrationByNif(db: Queryable, personal: PersonalData, nif: string): Promise<RegistrationRow | null> {
  const result = await db.query(`${selectRegistrations} WHERE nif_index = $1 AND status <> 'rejected'`, [personal.index('nif', nif)]);
  return result.rows[0] === undefined ? null : toRegistration(result.rows[0] as Record<string, unknown>, personal);
}

/** The live registration holding a NIF, locked for the rest of the transaction. */
export async function lockLiveRegistrationByNif(client: DbClient, personal: PersonalData, nif: string): Promise<RegistrationRow | null> {
  const nifIndex = personal.index('nif', nif);
  // Serialises concurrent intakes for the same NIF, including the first one (no row to lock yet).
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`registration-nif:${nifIndex}`]);
  const result = await client.query(`${selectRegistrations} WHERE nif_index = $1 AND status <> 'rejected' FOR UPDATE`, [nifIndex]);
  return result.rows[0] === undefined ? null : toRegistration(result.rows[0] as Record<string, unknown>, personal);
}

export async function insertRegistration(client: DbClient, personal: PersonalData, id: string, fields: DriverFields, fingerprint: string): Promise<void> {
  const sealed = await sealDriverFields(client, personal, id, fields);
  await client.query(
    `INSERT INTO registrations (id, status, full_name, nif, phone, email, address, postal_code, city, submission_fingerprint, data_key_id, nif_index, phone_index)
     VALUES ($1, 'received', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [id, ...sealed.values, fingerprint, sealed.dataKeyId, sealed.nifIndex, sealed.phoneIndex],
  );
}

/**
 * A corrected submission replaces the driver's fields; only valid while a correction is requested.
 * The correction code is spent with it (single use).
 */
export async function applyCorrectedFields(client: DbClient, personal: PersonalData, id: string, fields: DriverFields, fingerprint: string): Promise<boolean> {
  const sealed = await sealDriverFields(client, personal, id, fields);
  // The fields being replaced are kept as the previous revision, so a reviewer sees both side by side.
  await client.query(
    `INSERT INTO registration_field_revisions (registration_id, revision, full_name, nif, phone, email, address, postal_code, city)
     SELECT id, 1 + (SELECT count(*) FROM registration_field_revisions WHERE registration_id = $1), full_name, nif, phone, email, address, postal_code, city
     FROM registrations WHERE id = $1 AND status = 'correction_requested'`,
    [id],
  );
  const result = await client.query(
    `UPDATE registrations SET status = 'received', full_name = $2, nif = $3, phone = $4, email = $5, address = $6,
       postal_code = $7, city = $8, submission_fingerprint = $9, data_key_id = $10, nif_index = $11, phone_index = $12,
       correction_code_sha256 = NULL, correction_code_expires_at = NULL, correction_code_unsent = NULL, updated_at = now()
     WHERE id = $1 AND status = 'correction_requested'`,
    [id, ...sealed.values, fingerprint, sealed.dataKeyId, sealed.nifIndex, sealed.phoneIndex],
  );
  return result.rowCount === 1;
}

export async function insertDocuments(client: DbClient, registrationId: string, documents: NewDocument[]): Promise<void> {
  for (const doc of documents) {
    await client.query(
      `INSERT INTO registration_documents (id, registration_id, kind, revision, status, received_key, received_sha256, mime, size_bytes)
       VALUES ($1, $2, $3, $4, 'received', $5, $6, $7, $8)`,
      [doc.id, registrationId, doc.kind, doc.revision, doc.receivedKey, doc.receivedSha256, doc.mime, doc.sizeBytes],
    );
  }
}

export async function getRegistration(db: Queryable, personal: PersonalData, id: string): Promise<RegistrationRow | null> {
  const result = await db.query(`${selectRegistrations} WHERE id = $1`, [id]);
  return result.rows[0] === undefined ? null : toRegistration(result.rows[0] as Record<string, unknown>, personal);
}

/** Documents that are not superseded, newest revision last. */
export async function currentDocuments(db: Queryable, registrationId: string): Promise<DocumentRow[]> {
  const result = await db.query(
    "SELECT * FROM registration_documents WHERE registration_id = $1 AND status <> 'superseded' ORDER BY kind, revision",
    [registrationId],
  );
  return result.rows.map((row) => toDocument(row as Record<string, unknown>));
}

export async function getDocument(db: Queryable, registrationId: string, documentId: string): Promise<DocumentRow | null> {
  const result = await db.query('SELECT * FROM registration_documents WHERE registration_id = $1 AND id = $2', [registrationId, documentId]);
  return result.rows[0] === undefined ? null : toDocument(result.rows[0] as Record<string, unknown>);
}

export async function listRegistrations(
  db: Queryable,
  personal: PersonalData,
  filter: { status?: RegistrationStatus; limit: number; offset: number },
): Promise<{ items: RegistrationRow[]; total: number }> {
  const where = filter.status === undefined ? '' : 'WHERE status = $1';
  const params: unknown[] = filter.status === undefined ? [] : [filter.status];
  // The total is counted on its own: a page past the last one still knows how many there are.
  const [page, count] = await Promise.all([
    db.query(`${selectRegistrations} ${where} ORDER BY created_at DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, filter.limit, filter.offset]),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM registrations ${where}`, params),
  ]);
  return { items: page.rows.map((row) => toRegistration(row as Record<string, unknown>, personal)), total: count.rows[0]?.total ?? 0 };
}

/** The documents are ready: a registration still `received` now awaits a reviewer. */
export async function markAwaitingReview(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE registrations SET status = 'pending_approval', updated_at = now() WHERE id = $1 AND status = 'received'", [id]);
}

export interface ProcessedDocument {
  storageKey: string;
  thumbnailKey: string | null;
  sha256: string;
  mime: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
}

/**
 * A received document is now stored in its processed form; older revisions of its kind are
 * superseded, their files kept so reviewers compare revisions side by side (they go with the
 * registration: erasure, retention). Returns the storage key nobody needs any more (the received
 * original), for the caller to delete once this has committed.
 */
export async function recordProcessedDocument(db: Db, doc: DocumentRow, processed: ProcessedDocument): Promise<string[]> {
  return inTransaction(db, async (client) => {
    await client.query(
      `UPDATE registration_documents SET status = 'stored', storage_key = $2, thumbnail_key = $3, sha256 = $4, mime = $5,
         size_bytes = $6, width = $7, height = $8, received_key = NULL, processed_at = now()
       WHERE id = $1`,
      [doc.id, processed.storageKey, processed.thumbnailKey, processed.sha256, processed.mime, processed.sizeBytes, processed.width, processed.height],
    );
    await client.query(
      "UPDATE registration_documents SET status = 'superseded' WHERE registration_id = $1 AND kind = $2 AND revision < $3 AND status <> 'superseded'",
      [doc.registrationId, doc.kind, doc.revision],
    );
    return doc.receivedKey === null ? [] : [doc.receivedKey];
  });
}

/** Records a reviewer's decision; returns how long it waited since submission (ms), or null when it was not awaiting one. */
export async function recordDecision(db: Queryable, id: string, decision: Decision): Promise<{ waitedMs: number } | null> {
  const result = await db.query<{ waited_ms: number }>(
    `UPDATE registrations SET status = $2, decided_by = $3, decided_at = now(), updated_at = now(),
       rejection_reason = $4, correction_items = $5, correction_message = $6
     WHERE id = $1 AND status = 'pending_approval'
     RETURNING (extract(epoch FROM decided_at - created_at) * 1000)::float8 AS waited_ms`,
    [
      id,
      decision.kind,
      decision.reviewer,
      decision.kind === 'rejected' ? decision.reason : null,
      decision.kind === 'correction_requested' ? JSON.stringify(decision.items) : null,
      decision.kind === 'correction_requested' ? decision.message : null,
    ],
  );
  return result.rows[0] === undefined ? null : { waitedMs: result.rows[0].waited_ms };
}

export async function deleteRegistration(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM registrations WHERE id = $1', [id]);
}

const correctableByPhoneSql =
  `${selectRegistrations} WHERE phone_index = $1 AND status = 'correction_requested' AND correction_items ? 'nif' ORDER BY created_at DESC LIMIT 1`;

/** A registration asked to correct its NIF is found by the driver's phone instead. */
export async function correctableByPhone(db: Queryable, personal: PersonalData, phone: string): Promise<RegistrationRow | null> {
  const result = await db.query(correctableByPhoneSql, [personal.index('phone', phone)]);
  return result.rows[0] === undefined ? null : toRegistration(result.rows[0] as Record<string, unknown>, personal);
}

/** The same, locked for the rest of the transaction. */
export async function lockCorrectableByPhone(client: DbClient, personal: PersonalData, phone: string): Promise<RegistrationRow | null> {
  const result = await client.query(`${correctableByPhoneSql} FOR UPDATE`, [personal.index('phone', phone)]);
  return result.rows[0] === undefined ? null : toRegistration(result.rows[0] as Record<string, unknown>, personal);
}

/** The registration from this WhatsApp chat that awaits the driver's correction (the newest), or null. */
export async function correctionAwaitedInChat(db: Queryable, personal: PersonalData, chatId: string): Promise<RegistrationRow | null> {
  const result = await db.query(
    `${selectRegistrations} WHERE whatsapp_chat_index = $1 AND status = 'correction_requested' ORDER BY updated_at DESC LIMIT 1`,
    [personal.index('chat', chatId)],
  );
  return result.rows[0] === undefined ? null : toRegistration(result.rows[0] as Record<string, unknown>, personal);
}

/** The registration whose current correction code has this SHA-256, while it awaits the correction and the code is valid. */
export async function correctionAwaitedByCode(db: Queryable, personal: PersonalData, codeSha256: string): Promise<RegistrationRow | null> {
  const result = await db.query(
    `${selectRegistrations} WHERE correction_code_sha256 = $1 AND status = 'correction_requested' AND correction_code_expires_at > now() LIMIT 1`,
    [codeSha256],
  );
  return result.rows[0] === undefined ? null : toRegistration(result.rows[0] as Record<string, unknown>, personal);
}


/**
 * Keeps a correction code (replacing any earlier one) while the registration awaits its correction:
 * its hash and expiry for the intake, and the code itself until `correctionCodeSent`. False when
 * the registration no longer awaits a correction.
 */
export async function storeCorrectionCode(db: Queryable, id: string, code: { plain: string; sha256: string }, expiresAt: Date): Promise<boolean> {
  const result = await db.query(
    `UPDATE registrations SET correction_code_sha256 = $2, correction_code_expires_at = $3, correction_code_unsent = $4, updated_at = now()
     WHERE id = $1 AND status = 'correction_requested'`,
    [id, code.sha256, expiresAt, code.plain],
  );
  return result.rowCount === 1;
}

/** The code of a correction request whose message is not known to have gone, for its retry to send again. */
export async function unsentCorrectionCode(db: Queryable, id: string): Promise<string | null> {
  const result = await db.query<{ code: string | null }>(
    `SELECT correction_code_unsent AS code FROM registrations WHERE id = $1 AND status = 'correction_requested'`,
    [id],
  );
  return result.rows[0]?.code ?? null;
}

/** The message with the code has gone: from now on only its hash is kept. */
export async function correctionCodeSent(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE registrations SET correction_code_unsent = NULL WHERE id = $1', [id]);
}

/** A registration still `received` this long after its last change: its workflow may never have started or been signalled. */
export interface StalledRegistration {
  id: string;
  linkedToChat: boolean;
  /** A corrected submission (the workflow, if any, waits for its signal) rather than a first one. */
  corrected: boolean;
}

/** Newest first: one that cannot be repaired (its workflow failed for good) never hides a newer one behind it. */
export async function stalledRegistrations(db: Queryable, olderThanMs: number, limit = 100): Promise<StalledRegistration[]> {
  const result = await db.query<{ id: string; linked: boolean; corrected: boolean }>(
    `SELECT id, whatsapp_chat_id IS NOT NULL AS linked, correction_items IS NOT NULL AS corrected FROM registrations
     WHERE status = 'received' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
     ORDER BY updated_at DESC LIMIT $2`,
    [olderThanMs, limit],
  );
  return result.rows.map((row) => ({ id: row.id, linkedToChat: row.linked, corrected: row.corrected }));
}

/** Of these storage keys, the ones a document row still refers to. */
export async function referencedDocumentKeys(db: Queryable, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const result = await db.query<{ key: string }>(
    `SELECT received_key AS key FROM registration_documents WHERE received_key = ANY($1::text[])
     UNION SELECT storage_key FROM registration_documents WHERE storage_key = ANY($1::text[])
     UNION SELECT thumbnail_key FROM registration_documents WHERE thumbnail_key = ANY($1::text[])`,
    [keys],
  );
  return new Set(result.rows.map((row) => row.key));
}

/**
 * Links a registration to the WhatsApp chat of the bot session whose token the flow posted back
 * (`sessao_conversa`). An unknown token links nothing: the registration stands on its own.
 */
export async function linkToBotSession(client: DbClient, personal: PersonalData, registrationId: string, linkToken: string): Promise<RegistrationRow['chat']> {
  const session = await botSessionOf(client, personal, linkToken);
  if (session === null) return null;
  const chat = await sealChatOfRegistration(client, personal, registrationId, session.chatId);
  const result = await client.query(
    'UPDATE registrations SET whatsapp_chat_id = $2, whatsapp_chat_index = $3, chatwoot_conversation_id = $4 WHERE id = $1',
    [registrationId, chat.sealed, chat.index, session.chatwootConversationId],
  );
  return result.rowCount === 1 ? { whatsappChatId: session.chatId, chatwootConversationId: session.chatwootConversationId } : null;
}

/**
 * Registrations written before their fields were sealed (before the data keys' migration) sealed
 * now, each under a data key of its own, with their blind indexes. Run at every start; finds nothing
 * once done. Returns how many it sealed.
 */
export async function sealPlainRegistrations(db: Db, personal: PersonalData): Promise<number> {
  const plain = await db.query(
    `${selectRegistrations} WHERE (data_key_id IS NULL OR (whatsapp_chat_id IS NOT NULL AND whatsapp_chat_index IS NULL)) AND status <> 'erased'`,
  );
  let sealed = 0;
  for (const row of plain.rows) {
    const registration = toRegistration(row as Record<string, unknown>, personal);
    sealed += await inTransaction(db, async (client) => {
      const fields = await sealDriverFields(client, personal, registration.id, registration);
      const chat = registration.chat === null ? null : await sealChatOfRegistration(client, personal, registration.id, registration.chat.whatsappChatId);
      const result = await client.query(
        `UPDATE registrations SET full_name = $2, nif = $3, phone = $4, email = $5, address = $6, postal_code = $7, city = $8,
           data_key_id = $9, nif_index = $10, phone_index = $11, whatsapp_chat_id = $12, whatsapp_chat_index = $13
         WHERE id = $1 AND (data_key_id IS NULL OR (whatsapp_chat_id IS NOT NULL AND whatsapp_chat_index IS NULL))`,
        [registration.id, ...fields.values, fields.dataKeyId, fields.nifIndex, fields.phoneIndex, chat?.sealed ?? null, chat?.index ?? null],
      );
      return result.rowCount ?? 0;
    });
  }
  return sealed;
}
