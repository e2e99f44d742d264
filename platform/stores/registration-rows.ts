import type { CorrectableItem, RegistrationStatus } from '../../domain/registration.ts';
import type { DocumentKind, RegistrationSubmission } from '../../domain/registration-submission.ts';
import type { MasterKey } from '../crypto/keyring.ts';
import { dataKeyIdOf, openField, sealField, unwrapDataKey, type PersonalData } from '../crypto/personal-data.ts';
import type { DbClient } from '../db.ts';
import { registrationSubject, subjectKey } from './data-keys.ts';

/** What the driver told us about themselves, as validated at intake. */
export type DriverFields = Omit<RegistrationSubmission, 'documents'>;

export interface RegistrationRow extends DriverFields {
  id: string;
  status: RegistrationStatus;
  submissionFingerprint: string;
  rejectionReason: string | null;
  correctionItems: CorrectableItem[] | null;
  correctionMessage: string | null;
  /** SHA-256 of the correction code sent to the driver, while one is outstanding. */
  correctionCodeSha256: string | null;
  correctionCodeExpiresAt: Date | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** Set when the registration came from a bot session in a WhatsApp chat. */
  chat: { whatsappChatId: string; chatwootConversationId: number | null } | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DocumentRow {
  id: string;
  registrationId: string;
  kind: DocumentKind;
  revision: number;
  status: 'received' | 'stored' | 'superseded';
  receivedKey: string | null;
  receivedSha256: string;
  storageKey: string | null;
  thumbnailKey: string | null;
  mime: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  sha256: string | null;
  createdAt: Date;
  processedAt: Date | null;
}

type Row = Record<string, unknown>;

/**
 * Registrations with their data key, as every read of a whole registration selects them (`… WHERE`
 * follows): the personal fields open with it.
 */
export const selectRegistrations = `SELECT *,
  (SELECT master_key_id FROM data_keys WHERE data_keys.id = registrations.data_key_id) AS data_key_master,
  (SELECT wrapped FROM data_keys WHERE data_keys.id = registrations.data_key_id) AS data_key_wrapped
  FROM registrations`;

/** The personal fields of a registration, each sealed with the registration's data key in its column. */
const personalColumns = [
  ['fullName', 'full_name'], ['nif', 'nif'], ['phone', 'phone'], ['email', 'email'], ['address', 'address'], ['postalCode', 'postal_code'], ['city', 'city'],
] as const satisfies ReadonlyArray<readonly [keyof DriverFields, string]>;

/** A sealed field opens only in its own registration and column. */
const fieldBinding = (registrationId: string, column: string) => `registrations.${column}|${registrationId}`;

export interface SealedDriverFields {
  dataKeyId: string;
  /** In the order of the columns `full_name, nif, phone, email, address, postal_code, city`. */
  values: string[];
  nifIndex: string;
  phoneIndex: string;
}

/** The driver's fields as the row keeps them: sealed with the registration's data key (made now if new), with the NIF's and phone's blind indexes. */
export async function sealDriverFields(client: DbClient, personal: PersonalData, registrationId: string, fields: DriverFields): Promise<SealedDriverFields> {
  const key = await subjectKey(client, personal, registrationSubject(registrationId));
  return {
    dataKeyId: dataKeyIdOf(key.id)!,
    values: personalColumns.map(([field, column]) => sealField(key, fieldBinding(registrationId, column), fields[field])),
    nifIndex: personal.index('nif', fields.nif),
    phoneIndex: personal.index('phone', fields.phone),
  };
}

/** The chat a registration came from, as its row keeps it: sealed with the registration's key, and the chat's keyed hash. */
export async function sealChatOfRegistration(client: DbClient, personal: PersonalData, registrationId: string, chatId: string): Promise<{ sealed: string; index: string }> {
  const key = await subjectKey(client, personal, registrationSubject(registrationId));
  return { sealed: sealField(key, fieldBinding(registrationId, 'whatsapp_chat_id'), chatId), index: personal.index('chat', chatId) };
}

const rowKey = (row: Row, personal: PersonalData): MasterKey | undefined =>
  row.data_key_wrapped === null || row.data_key_wrapped === undefined
    ? undefined
    : unwrapDataKey(personal.keyring, { id: row.data_key_id as string, masterKeyId: row.data_key_master as string, wrapped: row.data_key_wrapped as Buffer });

function driverFieldsOf(row: Row, key: MasterKey | undefined): DriverFields {
  const open = (column: string) => openField(key, fieldBinding(row.id as string, column), row[column] as string);
  return Object.fromEntries(personalColumns.map(([field, column]) => [field, open(column)])) as unknown as DriverFields;
}

/** An earlier revision's fields (registration_field_revisions): the row's ciphertexts copied, so they open as the row's did. */
export const driverFieldsOfRevision = (row: Row, personal: PersonalData): DriverFields => driverFieldsOf(row, rowKey(row, personal));

export const toRegistration = (row: Row, personal: PersonalData): RegistrationRow => {
  const key = rowKey(row, personal);
  return {
    id: row.id as string,
    status: row.status as RegistrationStatus,
    ...driverFieldsOf(row, key),
    submissionFingerprint: row.submission_fingerprint as string,
    rejectionReason: row.rejection_reason as string | null,
    correctionItems: row.correction_items as CorrectableItem[] | null,
    correctionMessage: row.correction_message as string | null,
    correctionCodeSha256: (row.correction_code_sha256 ?? null) as string | null,
    correctionCodeExpiresAt: (row.correction_code_expires_at ?? null) as Date | null,
    decidedBy: row.decided_by as string | null,
    decidedAt: row.decided_at as Date | null,
    chat: row.whatsapp_chat_id === null || row.whatsapp_chat_id === undefined
      ? null
      : { whatsappChatId: openField(key, fieldBinding(row.id as string, 'whatsapp_chat_id'), row.whatsapp_chat_id as string), chatwootConversationId: row.chatwoot_conversation_id === null ? null : Number(row.chatwoot_conversation_id) },
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
};

export const toDocument = (row: Row): DocumentRow => ({
  id: row.id as string,
  registrationId: row.registration_id as string,
  kind: row.kind as DocumentKind,
  revision: row.revision as number,
  status: row.status as DocumentRow['status'],
  receivedKey: row.received_key as string | null,
  receivedSha256: row.received_sha256 as string,
  storageKey: row.storage_key as string | null,
  thumbnailKey: row.thumbnail_key as string | null,
  mime: row.mime as string,
  sizeBytes: row.size_bytes as number,
  width: row.width as number | null,
  height: row.height as number | null,
  sha256: row.sha256 as string | null,
  createdAt: row.created_at as Date,
  processedAt: row.processed_at as Date | null,
});
