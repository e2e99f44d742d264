import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileStorage } from '../../platform/storage/file-storage.ts';
import type { DocumentStorage } from '../../platform/storage/document-storage.ts';
import { storageContract } from '../support/storage-contract.ts';

storageContract('file storage', async () => {
  const parent = await mkdtemp(path.join(tmpdir(), 'file-storage-'));
  const root = path.join(parent, 'documents');
  return {
    storage: createFileStorage(root),
    corrupt: (key, bytes) => writeFile(path.join(root, key), bytes),
    cleanup: () => rm(parent, { recursive: true, force: true }),
  };
});

describe('file storage on disk', () => {
  let parent: string;
  let root: string;
  let storage: DocumentStorage;

  before(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'file-storage-'));
    root = path.join(parent, 'documents');
    storage = createFileStorage(root);
  });
  after(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('writes through a temporary file and leaves none behind', async () => {
    const key = 'registrations/r-1/proof-of-address.pdf';
    await storage.put(key, Buffer.from('v1'), 'application/pdf');
    await storage.put(key, Buffer.from('version 2'), 'image/jpeg');
    assert.deepEqual((await readdir(path.dirname(path.join(root, key)))).sort(), ['proof-of-address.pdf', 'proof-of-address.pdf~meta.json']);
  });

  it('keeps documents private: folders 0700, files 0600', async () => {
    const key = 'registrations/r-2/licence-back.jpg';
    await storage.put(key, Buffer.from('x'), 'image/jpeg');
    const file = path.join(root, key);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(`${file}~meta.json`)).mode & 0o777, 0o600);
    for (const folder of [root, path.join(root, 'registrations'), path.dirname(file)]) {
      assert.equal((await stat(folder)).mode & 0o777, 0o700, folder);
    }
  });

  it('never writes outside its root, whatever the key', async () => {
    const outside = path.join(parent, 'escaped');
    for (const key of [outside, '../escaped', 'a/../../escaped']) {
      await assert.rejects(storage.put(key, Buffer.from('x'), 'image/jpeg'), RangeError);
    }
    await assert.rejects(stat(outside), { code: 'ENOENT' });
  });

  it('lists neither a sidecar nor a half-written file', async () => {
    await storage.put('list-test/r-1/front.jpg', Buffer.from('1'), 'image/jpeg');
    await writeFile(path.join(root, 'list-test/r-1/back.jpg~0123456789abcdef.tmp'), 'a crash mid-write');
    assert.deepEqual((await storage.list('list-test')).map((entry) => entry.key), ['list-test/r-1/front.jpg']);
  });
});
