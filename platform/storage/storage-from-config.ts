/**
 * The document store as the configuration names it (README, "Document storage on S3"): a folder
 * (`DOCUMENT_STORAGE=file`, the default: DOCUMENT_STORAGE_DIR) or an S3 bucket (`DOCUMENT_STORAGE=s3`:
 * DOCUMENT_S3_*). This is the backend as kept, sealed bytes; the system wraps it in encrypted-storage.ts.
 */
import type { Config } from '../config.ts';
import type { DocumentStorage } from './document-storage.ts';
import { createFileStorage } from './file-storage.ts';
import { createS3Client, s3Credentials } from './s3-client.ts';
import { createS3Storage } from './s3-storage.ts';

export type StorageConfig = Pick<
  Config,
  | 'DOCUMENT_STORAGE' | 'DOCUMENT_STORAGE_DIR' | 'DOCUMENT_S3_BUCKET' | 'DOCUMENT_S3_PREFIX' | 'DOCUMENT_S3_ENDPOINT' | 'DOCUMENT_S3_REGION'
  | 'DOCUMENT_S3_ACCESS_KEY_ID' | 'DOCUMENT_S3_SECRET_ACCESS_KEY' | 'DOCUMENT_S3_FORCE_PATH_STYLE'
>;

export interface ConfiguredStorage {
  storage: DocumentStorage;
  /** For messages: the folder, or s3://bucket/prefix. */
  where: string;
  /** Connections closed (S3). */
  close(): void;
}

export function storageFromConfig(config: StorageConfig): ConfiguredStorage {
  // config.ts refuses DOCUMENT_STORAGE=s3 without a bucket.
  if (config.DOCUMENT_STORAGE === 'file' || config.DOCUMENT_S3_BUCKET === undefined) {
    return { storage: createFileStorage(config.DOCUMENT_STORAGE_DIR), where: config.DOCUMENT_STORAGE_DIR, close: () => undefined };
  }
  const client = createS3Client({
    endpoint: config.DOCUMENT_S3_ENDPOINT,
    region: config.DOCUMENT_S3_REGION,
    credentials: s3Credentials(config.DOCUMENT_S3_ACCESS_KEY_ID, config.DOCUMENT_S3_SECRET_ACCESS_KEY),
    forcePathStyle: config.DOCUMENT_S3_FORCE_PATH_STYLE,
  });
  return {
    storage: createS3Storage({ client, bucket: config.DOCUMENT_S3_BUCKET, prefix: config.DOCUMENT_S3_PREFIX }),
    where: `s3://${config.DOCUMENT_S3_BUCKET}/${config.DOCUMENT_S3_PREFIX}`,
    close: () => client.destroy(),
  };
}
