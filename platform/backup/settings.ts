/** The backup's target and sources as the configuration names them (README, "Backups and restore"). */
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { createFileStorage } from '../storage/file-storage.ts';
import type { BackupSources } from './make-backup.ts';
import { s3Target } from './s3-target.ts';
import { folderTarget, type BackupTarget } from './targets.ts';

export type BackupConfig = Pick<
  Config,
  | 'DATA_DIR' | 'DOCUMENT_STORAGE_DIR' | 'BACKUP_DIR' | 'BACKUP_S3_BUCKET' | 'BACKUP_S3_PREFIX' | 'BACKUP_S3_ENDPOINT' | 'BACKUP_S3_REGION'
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
    credentials: config.BACKUP_S3_ACCESS_KEY_ID === undefined || config.BACKUP_S3_SECRET_ACCESS_KEY === undefined
      ? undefined
      : { accessKeyId: config.BACKUP_S3_ACCESS_KEY_ID, secretAccessKey: config.BACKUP_S3_SECRET_ACCESS_KEY },
  });
}

/** What a backup reads: the database, the document store as it is kept (sealed), and Temporal's dev-server file when set. */
export function backupSourcesOf(config: BackupConfig, databaseUrl: string, keyring: Keyring): BackupSources {
  return {
    databaseUrl,
    store: createFileStorage(config.DOCUMENT_STORAGE_DIR),
    keyring,
    pgDump: config.PG_DUMP,
    sqlite3: config.SQLITE3,
    temporalSqlite: config.BACKUP_TEMPORAL_SQLITE,
  };
}
