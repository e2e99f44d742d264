/**
 * One S3 client for whatever keeps objects in S3: the document store (`DOCUMENT_S3_*`, s3-storage.ts)
 * and the backups (`BACKUP_S3_*`, backup/s3-target.ts). AWS, or any S3-compatible store through an
 * endpoint (MinIO, Versity, …), addressed path-style unless told otherwise.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Connection {
  /** An S3-compatible endpoint; unset: AWS. */
  endpoint?: string | undefined;
  region: string;
  /** Unset: the AWS SDK's own chain (AWS_* variables, an instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `bucket` in the path rather than the host name; unset: path-style exactly when an endpoint is set. */
  forcePathStyle?: boolean | undefined;
}

export function createS3Client(connection: S3Connection): S3Client {
  return new S3Client({
    region: connection.region,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    forcePathStyle: connection.forcePathStyle ?? connection.endpoint !== undefined,
    ...(connection.credentials === undefined ? {} : { credentials: connection.credentials }),
    // Checksums only where S3 requires them: S3-compatible stores do not all take the newer ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The configuration's key pair (config.ts checks they come together), or undefined for the SDK's own chain. */
export function s3Credentials(accessKeyId: string | undefined, secretAccessKey: string | undefined): S3Connection['credentials'] {
  return accessKeyId === undefined || secretAccessKey === undefined ? undefined : { accessKeyId, secretAccessKey };
}

/** A key prefix as a folder: `''`, or ending in exactly one `/`. */
export function folderPrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** An S3 "no such key" (GetObject's NoSuchKey, HeadObject's bare 404). */
export function isMissingObject(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === 404;
}
