/** The backup's target and sources as the configuration names them (README, "Backups and restore"). */
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { DocumentStorage } from '../storage/document-storage.ts';
import { s3Credentials } from '../storage/s3-client.ts';
import { storageFromConfig, type StorageConfig } from '../storage/storage-from-config.ts';
import type { BackupSources } from './make-backup.ts';
import { s3Target } from './s3-target.ts';
import { folderTarget, type BackupTarget } from './targets.ts';

export type BackupConfig = StorageConfig & Pick<
  Config,
  | 'DATA_DIR' | 'BACKUP_DIR' | 'BACKUP_S3_BUCKET' | 'BACKUP_S3_PREFIX' | 'BACKUP_S3_ENDPOINT' | 'BACKUP_S3_REGION'
  | 'BACKUP_S3_ACCESS_KEY_ID' | 'BACKUP_S3_SECRET_ACCESS_KEY' | 'BACKUP_TEMPORAL_SQLITE' | 'PG_DUMP' | 'PG_RESTORE' | 'SQLITE3'
>;

/** The S3 bucket when BACKUP_S3_BUCKET is set, else the folder BACKUP_DIR (default DATA_DIR/backups). */
export function backupTargetOf(config: BackupConfig): BackupTarget {
  if (config.BACKUP_S3_BUCKET === undefined) return folderTarget(config.BACKUP_DIR ?? path.join(config.DATA_DIR, 'backups'));
  return s3Target({
    bucket: config.BACKUP_S3_BUCKET,
    prefix: config.BACKUP_S3_PREFIX,
    endpoint: config.BACKUP_S3_ENDPOINT,
    region: config.BACKUP_S3_REGION,
    credentials: s3Credentials(config.BACKUP_S3_ACCESS_KEY_ID, config.BACKUP_S3_SECRET_ACCESS_KEY),
  });
}

/**
 * What a backup reads: the database, the document store as it is kept (sealed; a folder or an S3
 * bucket, read through `DocumentStorage` either way), and Temporal's dev-server file when set.
 */
export function backupSourcesOf(config: BackupConfig, databaseUrl: string, keyring: Keyring, store: DocumentStorage = storageFromConfig(config).storage): BackupSources {
  return {
    databaseUrl,
    store,
    keyring,
    pgDump: config.PG_DUMP,
    sqlite3: config.SQLITE3,
    temporalSqlite: config.BACKUP_TEMPORAL_SQLITE,
  };
}

/**
 * Why `npm run restore` refuses this configuration, or undefined: a restore writes the documents into
 * an empty folder (restore-backup.ts), never into an S3 document store.
 */
export function restoreRefusalOf(config: Pick<Config, 'DOCUMENT_STORAGE'>): string | undefined {
  if (config.DOCUMENT_STORAGE === 'file') return undefined;
  return 'DOCUMENT_STORAGE=s3: npm run restore puts documents back only into a folder, so run it with DOCUMENT_STORAGE=file and DOCUMENT_STORAGE_DIR an empty folder, and bring an S3 document store back with the bucket\'s own versioning or replication (README, "Document storage on S3").';
}
