import assert from 'node:assert/strict';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { after, before, describe, it } from 'node:test';
import { createS3Client } from '../../platform/storage/s3-client.ts';
import { createS3Storage } from '../../platform/storage/s3-storage.ts';
import { startS3, versitygwMissing, type S3Endpoint } from '../support/backup-tools.ts';
import { storageContract } from '../support/storage-contract.ts';

// A real S3 endpoint (Versity's gateway), never a mock of one.
const skip = versitygwMissing() ?? false;
const connect = (s3: S3Endpoint) => createS3Client({ endpoint: s3.endpoint, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });

storageContract('S3 storage', async () => {
  const s3 = await startS3();
  const client = connect(s3);
  // No trailing '/': the store adds it.
  const prefix = 'leguas/documents';
  return {
    storage: createS3Storage({ client, bucket: s3.bucket, prefix }),
    // Through S3 itself: other bytes under the object's old metadata, as a bucket gone bad would hold.
    async corrupt(key, bytes) {
      const Key = `${prefix}/${key}`;
      const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key }));
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: bytes, ContentType: head.ContentType, Metadata: head.Metadata }));
    },
    async cleanup() {
      client.destroy();
      await s3.stop();
    },
  };
}, { skip });

describe('S3 storage in a shared bucket', { skip }, () => {
  let s3: S3Endpoint;
  let client: ReturnType<typeof connect>;
  before(async () => {
    s3 = await startS3();
    client = connect(s3);
  });
  after(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('keeps each store under its own prefix, and never touches what lies beside it', async () => {
    const ours = createS3Storage({ client, bucket: s3.bucket, prefix: 'documents/' });
    const theirs = createS3Storage({ client, bucket: s3.bucket, prefix: 'documents-old/' });
    await ours.put('registrations/r-1/front.jpg', Buffer.from('ours'), 'image/jpeg');
    await theirs.put('registrations/r-1/front.jpg', Buffer.from('theirs'), 'image/jpeg');
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'documents/registrations/Not A Key.jpg', Body: 'written by something else' }));

    assert.deepEqual((await ours.list('registrations')).map((entry) => entry.key), ['registrations/r-1/front.jpg'], 'an object no key can name is not listed');
    await ours.deletePrefix('registrations');
    assert.equal(await ours.exists('registrations/r-1/front.jpg'), false);
    assert.equal((await theirs.get('registrations/r-1/front.jpg')).bytes.toString(), 'theirs');
  });

  it('refuses an object written without its hash', async () => {
    const storage = createS3Storage({ client, bucket: s3.bucket, prefix: '' });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'registrations/r-2/front.jpg', Body: 'no hash', ContentType: 'image/jpeg' }));
    await assert.rejects(storage.get('registrations/r-2/front.jpg'), { name: 'StoredObjectCorrupt' });
  });
});
