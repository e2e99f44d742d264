/**
 * What every `DocumentStorage` backend promises (platform/storage/document-storage.ts), as test cases
 * registered for one backend: `storageContract('file storage', setup)`. `setup` gives a fresh, empty
 * store, a way to change an object's bytes behind the store's back (a disk or bucket gone bad), and
 * its cleanup. test/integration/file-storage.test.ts and s3-storage.test.ts run it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { StoredObjectCorrupt, type DocumentStorage } from '../../platform/storage/document-storage.ts';

export interface StorageUnderTest {
  storage: DocumentStorage;
  /** Replaces the stored bytes of `key` without going through the store (so its recorded hash is left as it was). */
  corrupt(key: string, bytes: Buffer): Promise<void>;
  cleanup(): Promise<void>;
}

export function storageContract(name: string, setup: () => Promise<StorageUnderTest>, options: { skip?: string | false } = {}): void {
  describe(name, { skip: options.skip ?? false }, () => {
    let under: StorageUnderTest;
    let storage: DocumentStorage;
    let run = 0;
    const uniqueKey = (file: string): string => `registrations/r-${++run}/${file}`;

    before(async () => {
      under = await setup();
      storage = under.storage;
    });
    after(async () => {
      await under?.cleanup();
    });

    it('stores, reads and deletes a document with its content type', async () => {
      const key = uniqueKey('licence-front.jpg');
      const bytes = Buffer.from('not really a jpeg');
      await storage.put(key, bytes, 'application/pdf');
      assert.equal(await storage.exists(key), true);
      const stored = await storage.get(key);
      assert.ok(stored.bytes.equals(bytes));
      assert.equal(stored.contentType, 'application/pdf', 'content type comes from put, not from the key');

      await storage.delete(key);
      assert.equal(await storage.exists(key), false);
      await storage.delete(key); // deleting a missing key is fine
    });

    it('is idempotent for the same key and bytes, and replaces on a new put', async () => {
      const key = uniqueKey('proof-of-address.pdf');
      await storage.put(key, Buffer.from('v1'), 'application/pdf');
      await storage.put(key, Buffer.from('v1'), 'application/pdf');
      assert.equal((await storage.get(key)).bytes.toString(), 'v1');
      await storage.put(key, Buffer.from('version 2'), 'image/jpeg');
      assert.deepEqual(await storage.get(key), { bytes: Buffer.from('version 2'), contentType: 'image/jpeg' });
      assert.deepEqual((await storage.list(key.slice(0, key.lastIndexOf('/')))).map((entry) => entry.key), [key], 'one object, whatever the puts');
    });

    it('keeps an empty object, and takes the caller\'s hash when given', async () => {
      const empty = uniqueKey('empty.pdf');
      await storage.put(empty, Buffer.alloc(0), 'application/pdf');
      assert.deepEqual(await storage.get(empty), { bytes: Buffer.alloc(0), contentType: 'application/pdf' });
      const hashed = uniqueKey('hashed.jpg');
      const bytes = Buffer.from('bytes whose hash the caller had');
      await storage.put(hashed, bytes, 'image/jpeg', '0'.repeat(64));
      await assert.rejects(storage.get(hashed), StoredObjectCorrupt, 'the given hash is what a read is checked against');
    });

    it('answers NotFound for a missing key, and for a folder', async () => {
      const key = uniqueKey('selfie.jpg');
      await storage.put(uniqueKey('other.jpg'), Buffer.from('x'), 'image/jpeg');
      for (const missing of [key, 'registrations']) {
        await assert.rejects(storage.get(missing), (error: unknown) =>
          error instanceof AppError && error.type === ErrorType.NotFound && error.status === 404);
        assert.equal(await storage.exists(missing), false);
      }
    });

    it('refuses keys that could leave the store or are not plain segments', async () => {
      const refused = [
        '', '/', '../escaped', 'a/../../escaped', '..', '.', 'a//b', 'a/', '/etc/passwd', '/tmp/escaped', 'a\\..\\b',
        'a\0b', 'Licence.jpg', 'a b', 'ficheiro-ç.jpg', 'a/./b', '...', 'x~meta.json', '%2e%2e/escaped', 'a'.repeat(600),
      ];
      for (const key of refused) {
        await assert.rejects(storage.put(key, Buffer.from('x'), 'image/jpeg'), RangeError, JSON.stringify(key));
        await assert.rejects(storage.get(key), RangeError);
        await assert.rejects(storage.exists(key), RangeError);
        await assert.rejects(storage.delete(key), RangeError);
      }
      for (const prefix of ['', '/', '..', '../', 'registrations/..']) {
        await assert.rejects(storage.deletePrefix(prefix), RangeError, JSON.stringify(prefix));
        await assert.rejects(storage.list(prefix), RangeError, JSON.stringify(prefix));
      }
    });

    it('refuses a content type that is not a MIME type', async () => {
      const key = uniqueKey('a.jpg');
      await assert.rejects(storage.put(key, Buffer.from('x'), 'image/jpeg\n../x'), RangeError);
      assert.equal(await storage.exists(key), false);
    });

    it('deletes every key under a folder prefix, and nothing beside it', async () => {
      await storage.put('prefix-test/r-1/front.jpg', Buffer.from('1'), 'image/jpeg');
      await storage.put('prefix-test/r-1/docs/proof.pdf', Buffer.from('2'), 'application/pdf');
      await storage.put('prefix-test/r-10/front.jpg', Buffer.from('3'), 'image/jpeg');
      await storage.put('prefix-test/r-1.jpg', Buffer.from('4'), 'image/jpeg');
      await storage.put('prefix-test/r-2/front.jpg', Buffer.from('5'), 'image/jpeg');

      await storage.deletePrefix('prefix-test/r-1/');
      assert.equal(await storage.exists('prefix-test/r-1/front.jpg'), false);
      assert.equal(await storage.exists('prefix-test/r-1/docs/proof.pdf'), false);
      assert.equal(await storage.exists('prefix-test/r-10/front.jpg'), true);
      assert.equal(await storage.exists('prefix-test/r-1.jpg'), true);

      await storage.deletePrefix('prefix-test/r-2'); // without the trailing '/', the same folder
      assert.equal(await storage.exists('prefix-test/r-2/front.jpg'), false);
      assert.equal(await storage.exists('prefix-test/r-10/front.jpg'), true);

      await storage.deletePrefix('prefix-test/r-1.jpg'); // a key, not a folder: left alone
      assert.equal(await storage.exists('prefix-test/r-1.jpg'), true);
      await storage.deletePrefix('prefix-test/never-written');
    });

    it('lists the objects under a folder with when each was written', async () => {
      const before = Date.now();
      await storage.put('list-test/r-1/front.jpg', Buffer.from('1'), 'image/jpeg');
      await storage.put('list-test/r-1/documents/proof.pdf', Buffer.from('2'), 'application/pdf');
      await storage.put('list-test-other/r-2/front.jpg', Buffer.from('3'), 'image/jpeg');
      await storage.put('list-test.jpg', Buffer.from('4'), 'image/jpeg');
      const listed = await storage.list('list-test');
      assert.deepEqual(listed.map((entry) => entry.key).sort(), ['list-test/r-1/documents/proof.pdf', 'list-test/r-1/front.jpg']);
      assert.deepEqual((await storage.list('list-test/')).map((entry) => entry.key).sort(), listed.map((entry) => entry.key).sort());
      // Second-resolution clocks (S3's Last-Modified) may round down.
      assert.ok(listed.every((entry) => entry.modifiedAt instanceof Date && entry.modifiedAt.getTime() >= before - 1000 && entry.modifiedAt.getTime() <= Date.now() + 1000));
      assert.deepEqual(await storage.list('list-test/never-written'), []);
      assert.deepEqual(await storage.list('list-test/r-1/front.jpg'), [], 'a key is not a folder');
    });

    it('refuses to return bytes that no longer match their recorded hash', async () => {
      const key = uniqueKey('tampered.jpg');
      await storage.put(key, Buffer.from('original'), 'image/jpeg');
      await under.corrupt(key, Buffer.from('tampered'));
      await assert.rejects(storage.get(key), StoredObjectCorrupt);
      await under.corrupt(key, Buffer.from('original'));
      assert.equal((await storage.get(key)).bytes.toString(), 'original', 'the hash, not a flag, decides');
    });
  });
}
