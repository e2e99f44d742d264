import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { createFileStorage } from '../../platform/storage/file-storage.ts';
import { StoredObjectCorrupt, type DocumentStorage } from '../../platform/storage/document-storage.ts';

describe('file storage', () => {
  let parent: string;
  let root: string;
  let storage: DocumentStorage;
  let run = 0;
  const uniqueKey = (name: string): string => `registrations/r-${++run}/${name}`;

  before(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'file-storage-'));
    root = path.join(parent, 'documents');
    storage = createFileStorage(root);
  });
  after(async () => {
    await rm(parent, { recursive: true, force: true });
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
    const leftovers = (await readdir(path.dirname(path.join(root, key)))).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });

  it('keeps documents private: folders 0700, files 0600', async () => {
    const key = uniqueKey('licence-back.jpg');
    await storage.put(key, Buffer.from('x'), 'image/jpeg');
    const file = path.join(root, key);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(`${file}~meta.json`)).mode & 0o777, 0o600);
    for (const folder of [root, path.join(root, 'registrations'), path.dirname(file)]) {
      assert.equal((await stat(folder)).mode & 0o777, 0o700, folder);
    }
  });

  it('answers NotFound for a missing key, and for a folder', async () => {
    const key = uniqueKey('selfie.jpg');
    for (const missing of [key, 'registrations']) {
      await assert.rejects(storage.get(missing), (error: unknown) =>
        error instanceof AppError && error.type === ErrorType.NotFound && error.status === 404);
    }
  });

  it('refuses keys that could leave the root or are not plain segments', async () => {
    const outside = path.join(parent, 'escaped');
    const refused = [
      '', '/', '../escaped', 'a/../../escaped', '..', '.', 'a//b', 'a/', '/etc/passwd', outside, 'a\\..\\b',
      'a\0b', 'Licence.jpg', 'a b', 'ficheiro-ç.jpg', 'a/./b', '...', 'x~meta.json', '%2e%2e/escaped', 'a'.repeat(600),
    ];
    for (const key of refused) {
      await assert.rejects(storage.put(key, Buffer.from('x'), 'image/jpeg'), RangeError, JSON.stringify(key));
      await assert.rejects(storage.get(key), RangeError);
      await assert.rejects(storage.exists(key), RangeError);
      await assert.rejects(storage.delete(key), RangeError);
    }
    await assert.rejects(stat(outside), { code: 'ENOENT' });
    for (const prefix of ['', '/', '..', '../', 'registrations/..']) {
      await assert.rejects(storage.deletePrefix(prefix), RangeError);
    }
  });

  it('refuses a content type that is not a MIME type', async () => {
    await assert.rejects(storage.put(uniqueKey('a.jpg'), Buffer.from('x'), 'image/jpeg\n../x'), RangeError);
  });

  it('deletes every key under a folder prefix, and nothing beside it', async () => {
    await storage.put('prefix-test/r-1/front.jpg', Buffer.from('1'), 'image/jpeg');
    await storage.put('prefix-test/r-1/docs/proof.pdf', Buffer.from('2'), 'application/pdf');
    await storage.put('prefix-test/r-10/front.jpg', Buffer.from('3'), 'image/jpeg');
    await storage.put('prefix-test/r-1.jpg', Buffer.from('4'), 'image/jpeg');

    await storage.deletePrefix('prefix-test/r-1/');
    assert.equal(await storage.exists('prefix-test/r-1/front.jpg'), false);
    assert.equal(await storage.exists('prefix-test/r-1/docs/proof.pdf'), false);
    assert.equal(await storage.exists('prefix-test/r-10/front.jpg'), true);
    assert.equal(await storage.exists('prefix-test/r-1.jpg'), true);

    await storage.deletePrefix('prefix-test/r-1.jpg'); // a key, not a folder: left alone
    assert.equal(await storage.exists('prefix-test/r-1.jpg'), true);
    await storage.deletePrefix('prefix-test/never-written');
  });

  it('lists the objects under a folder with when each was written, never a sidecar or a half-written file', async () => {
    await storage.put('list-test/r-1/front.jpg', Buffer.from('1'), 'image/jpeg');
    await storage.put('list-test/r-1/documents/proof.pdf', Buffer.from('2'), 'application/pdf');
    await storage.put('list-test-other/r-2/front.jpg', Buffer.from('3'), 'image/jpeg');
    await writeFile(path.join(root, 'list-test/r-1/back.jpg~0123456789abcdef.tmp'), 'a crash mid-write');
    const listed = await storage.list('list-test');
    assert.deepEqual(listed.map((entry) => entry.key).sort(), ['list-test/r-1/documents/proof.pdf', 'list-test/r-1/front.jpg']);
    assert.ok(listed.every((entry) => entry.modifiedAt instanceof Date && Date.now() - entry.modifiedAt.getTime() < 60_000));
    assert.deepEqual(await storage.list('list-test/never-written'), []);
    await assert.rejects(storage.list('../outside'), RangeError);
  });

  it('refuses to return bytes that no longer match their recorded hash', async () => {
    const key = uniqueKey('tampered.jpg');
    await storage.put(key, Buffer.from('original'), 'image/jpeg');
    await writeFile(path.join(root, key), 'tampered');
    await assert.rejects(storage.get(key), StoredObjectCorrupt);
  });
});
