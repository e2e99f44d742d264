/**
 * `data_keys`: one data key per data subject, wrapped by a master key (platform/crypto/personal-data.ts).
 * Subjects are named here (`registration:<id>`, `chat:<media folder>`) and stored as keyed hashes.
 */
import { randomBytes } from 'node:crypto';
import { newKey } from '../crypto/aead.ts';
import { SealBroken } from '../crypto/envelope.ts';
import type { Keyring, MasterKey } from '../crypto/keyring.ts';
import { dataKeyIdOf, personalDataOf, unwrapDataKey, wrapDataKey, type PersonalData, type WrappedKey } from '../crypto/personal-data.ts';
import { chatIndexOfWorkflowId, type BlindIndex } from '../../domain/chat.ts';
import { registrationIdOfWorkflowId } from '../../domain/registration.ts';
import { chatMediaFolder, legacyChatMediaFolder, mediaFolderOfChatIndex } from '../storage/chat-media-key.ts';
import type { WorkflowKeys } from '../crypto/payload-codec.ts';
import type { SubjectKeys } from '../storage/encrypted-storage.ts';
import type { Db, DbClient } from '../db.ts';

type Queryable = Db | DbClient;

export const registrationSubject = (registrationId: string) => `registration:${registrationId}`;
export const chatSubject = (keys: BlindIndex, chatId: string) => `chat:${chatMediaFolder(keys, chatId)}`;

/** The subject whose key seals a workflow's payloads: a chat's or a registration's; undefined for the others (the master key). */
export function subjectOfWorkflow(workflowId: string): string | undefined {
  const chatIndex = chatIndexOfWorkflowId(workflowId);
  if (chatIndex !== undefined) return `chat:${mediaFolderOfChatIndex(chatIndex)}`;
  const registrationId = registrationIdOfWorkflowId(workflowId);
  return registrationId === undefined ? undefined : registrationSubject(registrationId);
}
/** The subject of a chat's media kept under its former folder (named by the chat), should `keys:rotate` have moved them under a key. */
export const legacyChatSubject = (chatId: string) => `chat:${legacyChatMediaFolder(chatId)}`;

/** The subject a stored object belongs to (its top folders), or undefined for one of no subject. */
export function subjectOfStorageKey(key: string): string | undefined {
  const [top, folder, ...rest] = key.split('/');
  if (folder === undefined || rest.length === 0) return undefined;
  if (top === 'registrations') return registrationSubject(folder);
  if (top === 'media') return `chat:media/${folder}`;
  return undefined;
}

type KeyRow = { id: string; master_key_id: string; wrapped: Buffer };
const wrappedOf = (row: KeyRow): WrappedKey => ({ id: row.id, masterKeyId: row.master_key_id, wrapped: row.wrapped });

/** The key stored under this (hashed) subject, made now if there is none; concurrent first uses agree on one. */
async function ensureKey(db: Queryable, keyring: Keyring, storedSubject: string): Promise<MasterKey> {
  const existing = await db.query<KeyRow>('SELECT id, master_key_id, wrapped FROM data_keys WHERE subject = $1', [storedSubject]);
  if (existing.rows[0] !== undefined) return unwrapDataKey(keyring, wrappedOf(existing.rows[0]));
  const made = wrapDataKey(keyring, randomBytes(12).toString('base64url'), newKey());
  await db.query('INSERT INTO data_keys (id, subject, master_key_id, wrapped) VALUES ($1, $2, $3, $4) ON CONFLICT (subject) DO NOTHING', [made.id, storedSubject, made.masterKeyId, made.wrapped]);
  const stored = await db.query<KeyRow>('SELECT id, master_key_id, wrapped FROM data_keys WHERE subject = $1', [storedSubject]);
  return unwrapDataKey(keyring, wrappedOf(stored.rows[0]!));
}

/**
 * The system's blind-index key (made on first start and kept wrapped like any data key, so it
 * outlives master key rotations) and with it the system's `PersonalData`.
 */
export async function loadPersonalData(db: Db, keyring: Keyring): Promise<PersonalData> {
  return personalDataOf(keyring, (await ensureKey(db, keyring, 'system:blind-index')).key);
}

/** The subject's data key (made on first use), as the envelope takes it. */
export const subjectKey = (db: Queryable, personal: PersonalData, subject: string): Promise<MasterKey> =>
  ensureKey(db, personal.keyring, personal.index('subject', subject));

/** A chat's data key (made on first use). */
export const chatKey = (db: Queryable, personal: PersonalData, chatId: string): Promise<MasterKey> => subjectKey(db, personal, chatSubject(personal, chatId));

/** The data key with this id, or undefined when it was destroyed. */
async function dataKeyById(db: Queryable, keyring: Keyring, id: string): Promise<MasterKey | undefined> {
  const result = await db.query<KeyRow>('SELECT id, master_key_id, wrapped FROM data_keys WHERE id = $1', [id]);
  return result.rows[0] === undefined ? undefined : unwrapDataKey(keyring, wrappedOf(result.rows[0]));
}

/**
 * The subjects' keys as the encrypted storage and the payload codec ask for them (no cache here: a
 * destroyed key is gone for every process at once).
 */
export function createSubjectKeys(db: Db, personal: PersonalData): SubjectKeys & WorkflowKeys {
  return {
    async forObject(storageKey) {
      const subject = subjectOfStorageKey(storageKey);
      return subject === undefined ? undefined : subjectKey(db, personal, subject);
    },
    async forWorkflow(workflowId) {
      const subject = subjectOfWorkflow(workflowId);
      return subject === undefined ? undefined : subjectKey(db, personal, subject);
    },
    async byEnvelopeId(envelopeId) {
      const id = dataKeyIdOf(envelopeId);
      return id === undefined ? undefined : dataKeyById(db, personal.keyring, id);
    },
  };
}

/** Crypto-shredding: the subjects' keys destroyed; returns how many there were. */
export async function destroySubjectKeys(db: Queryable, personal: PersonalData, subjects: string[]): Promise<number> {
  const hashed = subjects.map((subject) => personal.index('subject', subject));
  return (await db.query('DELETE FROM data_keys WHERE subject = ANY($1)', [hashed])).rowCount ?? 0;
}

export interface KeyRewrap {
  rewrapped: number;
  alreadyCurrent: number;
  /** Data keys that do not open (their master key is not held, or they were changed): left as they are. */
  failed: Array<{ id: string; reason: string }>;
}

/** `npm run keys:rotate`: every data key wrapped by the current master key (the files it protects are not touched). */
export async function rewrapDataKeys(db: Db, keyring: Keyring): Promise<KeyRewrap> {
  const report: KeyRewrap = { rewrapped: 0, alreadyCurrent: 0, failed: [] };
  const rows = await db.query<KeyRow>('SELECT id, master_key_id, wrapped FROM data_keys ORDER BY created_at');
  for (const row of rows.rows) {
    if (row.master_key_id === keyring.current.id) {
      report.alreadyCurrent += 1;
      continue;
    }
    let key: MasterKey;
    try {
      key = unwrapDataKey(keyring, wrappedOf(row));
    } catch (error) {
      if (!(error instanceof SealBroken)) throw error;
      report.failed.push({ id: row.id, reason: error.reason });
      continue;
    }
    const rewrapped = wrapDataKey(keyring, row.id, key.key);
    await db.query('UPDATE data_keys SET master_key_id = $2, wrapped = $3 WHERE id = $1', [row.id, rewrapped.masterKeyId, rewrapped.wrapped]);
    report.rewrapped += 1;
  }
  return report;
}
