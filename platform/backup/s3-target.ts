/**
 * Backups in an S3 bucket (AWS, or any S3-compatible store through `BACKUP_S3_ENDPOINT`, addressed
 * path-style): backup `<id>` is the objects `<prefix><id>/<file>`, its manifest uploaded last. Parts
 * go up as multipart uploads (any size); reads stream.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { backupIdPattern } from '../../domain/backup.ts';
import { createS3Client, folderPrefix, isMissingObject, type S3Connection } from '../storage/s3-client.ts';
import { BackupRefused, manifestFile } from './manifest.ts';
import type { BackupTarget } from './targets.ts';

export interface S3Settings extends S3Connection {
  bucket: string;
  /** Key prefix, e.g. `leguas/backups/` (a trailing `/` is added when missing); may be empty. */
  prefix: string;
}

export function s3Target(settings: S3Settings): BackupTarget {
  const client = createS3Client(settings);
  const Bucket = settings.bucket;
  const prefix = folderPrefix(settings.prefix);
  const keyOf = (id: string, file: string) => `${prefix}${id}/${file}`;

  async function keysUnder(under: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: under, ContinuationToken }));
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key])));
      ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    return keys;
  }

  return {
    where: `s3://${Bucket}/${prefix}`,
    async list() {
      const ids = new Set<string>();
      const complete = new Set<string>();
      for (const key of await keysUnder(prefix)) {
        const [id, file] = key.slice(prefix.length).split('/');
        if (id === undefined || !backupIdPattern.test(id)) continue;
        ids.add(id);
        if (file === manifestFile) complete.add(id);
      }
      return { complete: [...complete].sort(), incomplete: [...ids].filter((id) => !complete.has(id)).sort() };
    },
    stage: (id) => mkdtemp(path.join(os.tmpdir(), `leguas-backup-${id}-`)),
    async store(id, staged, files, manifest, progress) {
      try {
        for (const file of files) {
          const upload = new Upload({ client, params: { Bucket, Key: keyOf(id, file), Body: createReadStream(path.join(staged, file)) } });
          if (progress !== undefined) upload.on('httpUploadProgress', () => progress());
          await upload.done();
        }
        await client.send(new PutObjectCommand({ Bucket, Key: keyOf(id, manifestFile), Body: manifest, ContentType: 'application/json' }));
      } finally {
        await rm(staged, { recursive: true, force: true });
      }
    },
    async read(id, file) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(id, file) }));
        return object.Body as Readable;
      } catch (error) {
        if (isMissingObject(error)) throw new BackupRefused(`There is no ${file} under s3://${Bucket}/${keyOf(id, '')}: not a complete backup`);
        throw error;
      }
    },
    async remove(id) {
      const keys = await keysUnder(keyOf(id, ''));
      for (let start = 0; start < keys.length; start += 1000) {
        await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.slice(start, start + 1000).map((Key) => ({ Key })), Quiet: true } }));
      }
    },
    close: () => client.destroy(),
  };
}
