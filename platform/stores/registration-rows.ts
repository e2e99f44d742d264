import type { CorrectableItem, RegistrationStatus } from '../../domain/registration.ts';
import type { DocumentKind, RegistrationSubmission } from '../../domain/registration-submission.ts';

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

export const toRegistration = (row: Row): RegistrationRow => ({
  id: row.id as string,
  status: row.status as RegistrationStatus,
  fullName: row.full_name as string,
  nif: row.nif as string,
  phone: row.phone as string,
  email: row.email as string,
  address: row.address as string,
  postalCode: row.postal_code as string,
  city: row.city as string,
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
    : { whatsappChatId: row.whatsapp_chat_id as string, chatwootConversationId: row.chatwoot_conversation_id === null ? null : Number(row.chatwoot_conversation_id) },
  createdAt: row.created_at as Date,
  updatedAt: row.updated_at as Date,
});

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
