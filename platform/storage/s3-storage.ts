/**
 * `DocumentStorage` in an S3 bucket (AWS, or any S3-compatible store; `DOCUMENT_STORAGE=s3`): key `k`
 * is the object `<prefix>k`. A PutObject is atomic (readers get the old object or the new one) and a
 * repeated one with the same bytes changes nothing a reader sees. Each object carries its SHA-256 as
 * metadata, checked on read as the file backend checks its sidecar. Keys are validated exactly as
 * there (document-storage.ts), so nothing outside the prefix can be named.
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { reviewerMessages } from '../../domain/texts/registration.ts';
import { assertContentType, keySegments, prefixSegments, StoredObjectCorrupt } from './document-storage.ts';
import type { DocumentStorage, StoredDocument } from './document-storage.ts';
import { folderPrefix, isMissingObject } from './s3-client.ts';

/** The metadata entry (`x-amz-meta-sha256`) holding the object's SHA-256 (hex). */
const hashMetadata = 'sha256';

export interface S3StorageSettings {
  client: S3Client;
  bucket: string;
  /** Key prefix, e.g. `leguas/documents/` (a trailing `/` is added when missing); may be empty. */
  prefix: string;
}

export function createS3Storage({ client, bucket: Bucket, prefix: rawPrefix }: S3StorageSettings): DocumentStorage {
  const prefix = folderPrefix(rawPrefix);
  const objectKey = (key: string) => `${prefix}${keySegments(key).join('/')}`;
  const folderKey = (folder: string) => `${prefix}${prefixSegments(folder).join('/')}/`;

  async function objectsUnder(under: string): Promise<Array<{ Key: string; LastModified: Date | undefined }>> {
    const objects: Array<{ Key: string; LastModified: Date | undefined }> = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: under, ContinuationToken }));
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined && !object.Key.endsWith('/')) objects.push({ Key: object.Key, LastModified: object.LastModified });
      }
      ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    return objects;
  }

  return {
    async put(key, bytes, contentType, knownSha256) {
      const Key = objectKey(key);
      assertContentType(contentType);
      await client.send(new PutObjectCommand({
        Bucket, Key, Body: bytes, ContentLength: bytes.length, ContentType: contentType, Metadata: { [hashMetadata]: knownSha256 ?? sha256(bytes) },
      }));
    },

    async get(key): Promise<StoredDocument> {
      const Key = objectKey(key);
      const object = await client.send(new GetObjectCommand({ Bucket, Key })).catch((error: unknown) => {
        throw isMissingObject(error) ? new AppError(ErrorType.NotFound, reviewerMessages.documentMissing) : error;
      });
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      if (object.Metadata?.[hashMetadata] !== sha256(bytes) || object.ContentType === undefined) throw new StoredObjectCorrupt(key);
      return { bytes, contentType: object.ContentType };
    },

    async delete(key) {
      // S3 answers a delete of a missing key as done.
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },

    async deletePrefix(folder) {
      const keys = (await objectsUnder(folderKey(folder))).map(({ Key }) => ({ Key }));
      for (let start = 0; start < keys.length; start += 1000) {
        const deleted = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.slice(start, start + 1000), Quiet: true } }));
        // A batch delete answers 200 with the keys it could not delete listed: those are an error here.
        if ((deleted.Errors ?? []).length > 0) throw new Error(`S3 did not delete ${deleted.Errors!.length} object(s) under ${folderKey(folder)}: ${deleted.Errors![0]!.Code ?? 'unknown error'}`);
      }
    },

    async list(folder) {
      const objects = await objectsUnder(folderKey(folder));
      return objects.flatMap(({ Key, LastModified }) => {
        const key = Key.slice(prefix.length);
        // Objects the bucket holds that no key can name (written by something else) are not ours.
        if (LastModified === undefined || !isStorageKey(key)) return [];
        return [{ key, modifiedAt: LastModified }];
      });
    },

    async exists(key) {
      const Key = objectKey(key);
      return client.send(new HeadObjectCommand({ Bucket, Key })).then(() => true, (error: unknown) => {
        if (isMissingObject(error)) return false;
        throw error;
      });
    },
  };
}

function isStorageKey(key: string): boolean {
  try {
    keySegments(key);
    return true;
  } catch {
    return false;
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
