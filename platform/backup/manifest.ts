/**
 * A backup's manifest (`manifest.json`): what it holds, how big, with which hashes, made when, from
 * which schema version, and its own key wrapped by a master key. The manifest is readable without
 * keys (listing, pruning) and sealed: its seal is an AES-256-GCM tag over its exact JSON under the
 * backup's key, so a restore trusts nothing in it before the key has opened and the seal verified.
 * The master key itself is never written anywhere in a backup.
 */
import { z } from 'zod';
import { backupIdPattern } from '../../domain/backup.ts';
import { newKey, openBytes, sealBytes } from '../crypto/aead.ts';
import type { Keyring } from '../crypto/keyring.ts';

export const backupFormat = 'leguas-franzinas-backup/1';
export const manifestFile = 'manifest.json';

/** The parts a backup may have, each a sealed stream (platform/crypto/sealed-stream.ts) in a file of its own. */
export const partFiles = {
  /** `pg_dump --format=custom` of the whole database. */
  database: 'database.dump.sealed',
  /** Every stored document file as the store keeps it (already encrypted), one after the other in `documents` order. */
  documents: 'documents.sealed',
  /** The Temporal dev server's SQLite file, when it is ours. */
  temporal: 'temporal.sqlite.sealed',
} as const;
export type PartName = keyof typeof partFiles;

/** Bound into every sealed stream of a backup: a part moved to another backup or another name does not open. */
export const streamName = (backupId: string, part: PartName) => `backup:${backupId}:${part}`;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const size = z.number().int().nonnegative();

export const manifestSchema = z.object({
  format: z.literal(backupFormat),
  id: z.string().regex(backupIdPattern),
  createdAt: z.string(),
  /** The last migration applied to the database when it was dumped. */
  schemaVersion: z.string().min(1),
  postgres: z.object({ server: z.string(), pgDump: z.string(), pgDumpMajor: z.number().int().positive() }),
  /** Rows per table, read in the dump's own snapshot. */
  counts: z.record(z.string(), size),
  /** Ids (never the keys) of the master keys a restore needs: the backup's own, the data keys' in the dump, the documents' sealed under a master key. */
  masterKeys: z.object({ backup: z.string(), dataKeys: z.array(z.string()), documents: z.array(z.string()) }),
  key: z.object({ masterKeyId: z.string(), wrapped: z.string() }),
  /** Each part's file as stored: its size and SHA-256 (hex). */
  parts: z.array(z.object({ name: z.enum(Object.keys(partFiles) as [PartName, ...PartName[]]), size, sha256 })),
  /** Every document file in the documents part, in order: its storage key, content type, size and SHA-256 as the store keeps it. */
  documents: z.array(z.object({ key: z.string().min(1), contentType: z.string().min(1), size, sha256 })),
  /** Files the database refers to that were not in the store when it was read (chat media past its retention period), and files that did not match their recorded hash. */
  missing: z.array(z.string()),
  unreadable: z.array(z.string()),
  /** Whether Temporal's own database is in it, and why not when it is not. */
  temporal: z.object({ included: z.boolean(), note: z.string() }),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** What an operator is told, in English, when a backup or a restore cannot go ahead; nothing was changed. */
export class BackupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefused';
  }
}

const keyAad = (masterKeyId: string, backupId: string) => Buffer.from(`lf-backup-key|${masterKeyId}|${backupId}`);
const sealAad = (json: string) => Buffer.from(`lf-backup-manifest|${json}`);

/** A fresh key for one backup, and its wrapped form under the keyring's current master key. */
export function newBackupKey(keyring: Keyring, backupId: string): { key: Buffer; wrapped: Manifest['key'] } {
  const key = newKey();
  return { key, wrapped: { masterKeyId: keyring.current.id, wrapped: sealBytes(keyring.current.key, key, keyAad(keyring.current.id, backupId)).toString('base64') } };
}

/** The manifest file's bytes: the manifest and its seal. */
export function sealManifest(manifest: Manifest, key: Buffer): Buffer {
  const json = JSON.stringify(manifest);
  const seal = sealBytes(key, Buffer.alloc(0), sealAad(json)).toString('base64');
  return Buffer.from(`{"manifest":${json},"seal":${JSON.stringify(seal)}}\n`);
}

/** The manifest as written, unverified: for listing and pruning, which need no key. */
export function readManifest(bytes: Buffer, where: string): { manifest: Manifest; raw: unknown; seal: string } {
  let parsed: { manifest?: unknown; seal?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    throw new BackupRefused(`${where} is not a backup manifest (not JSON)`);
  }
  const manifest = manifestSchema.safeParse(parsed.manifest);
  if (!manifest.success || typeof parsed.seal !== 'string') {
    const problem = manifest.success ? 'it has no seal' : manifest.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new BackupRefused(`${where} is not a backup manifest this version reads (${problem})`);
  }
  return { manifest: manifest.data, raw: parsed.manifest, seal: parsed.seal };
}

/**
 * The backup's key, once the master key named in the manifest has opened it and the manifest's seal
 * holds; otherwise why not, in words an operator acts on.
 */
export function openManifest(bytes: Buffer, keyring: Keyring, where: string): { manifest: Manifest; key: Buffer } {
  const { manifest, raw, seal } = readManifest(bytes, where);
  const { masterKeyId } = manifest.key;
  const master = keyring.find(masterKeyId);
  if (master === undefined) {
    throw new BackupRefused(
      `Backup ${manifest.id} was made with master key "${masterKeyId}", which MASTER_KEYS does not hold (it holds ${keyring.ids().map((id) => `"${id}"`).join(', ')}). ` +
      'Restore with the MASTER_KEYS the system had when the backup was made.',
    );
  }
  const key = openBytes(master.key, Buffer.from(manifest.key.wrapped, 'base64'), keyAad(masterKeyId, manifest.id));
  if (key === undefined) {
    throw new BackupRefused(
      `Backup ${manifest.id}'s key does not open with the master key "${masterKeyId}" in MASTER_KEYS: that is not the key the backup was made with ` +
      '(another key under the same id), or the manifest was changed. Restore with the MASTER_KEYS the system had when the backup was made.',
    );
  }
  if (openBytes(key, Buffer.from(seal, 'base64'), sealAad(JSON.stringify(raw))) === undefined) {
    throw new BackupRefused(`Backup ${manifest.id}'s manifest was changed after the backup was made (its seal does not verify): nothing was restored.`);
  }
  return { manifest, key };
}
