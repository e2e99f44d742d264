import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SealBroken, sealedWith } from '../../platform/crypto/envelope.ts';
import { keyringOf, type MasterKey } from '../../platform/crypto/keyring.ts';
import { StoredObjectCorrupt } from '../../platform/storage/document-storage.ts';
import { createEncryptedStorage } from '../../platform/storage/encrypted-storage.ts';
import { createFileStorage } from '../../platform/storage/file-storage.ts';
import { rotateStoredKeys } from '../../platform/storage/rotate-keys.ts';
import { makeJpeg, makePdf } from '../fixtures/documents.ts';

const masterKey = (id: string): MasterKey => ({ id, key: randomBytes(32) });
/** Objects of no data subject's key (those are tested with a database: subject-keys.test.ts). */
const noSubjects = { forObject: async () => undefined, byEnvelopeId: async () => undefined };

describe('encrypted document storage over the file storage (master keys)', () => {
  let root: string;
  let run = 0;
  const folder = () => path.join(root, `store-${++run}`);
  const keyFor = (name: string) => `registrations/0b6f3c1e-6a57-4d4f-9a3e-2f1c5d7e8a${String(run).padStart(2, '0')}/documents/${name}`;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'encrypted-storage-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  /** An encrypted storage in a fresh folder, recording what it reports as broken. */
  function open(keys: MasterKey[], dir = folder()) {
    const broken: Array<[string, string]> = [];
    const storage = createEncryptedStorage(createFileStorage(dir), keyringOf(keys), undefined, async (key, reason) => { broken.push([key, reason]); });
    return { storage, broken, dir, backend: createFileStorage(dir) };
  }

  it('keeps on disk none of the original bytes, and gives them back', async () => {
    const { storage, dir } = open([masterKey('k1')]);
    const photo = await makeJpeg({ width: 320, height: 200 });
    const pdf = Buffer.concat([await makePdf({ pages: 1 }), Buffer.from('NIF 256789121')]);
    await storage.put(keyFor('licence_front-r1'), photo, 'image/jpeg');
    await storage.put(keyFor('proof_of_address-r1'), pdf, 'application/pdf');
    const onDisk = await readFile(path.join(dir, keyFor('licence_front-r1')));
    const pdfOnDisk = await readFile(path.join(dir, keyFor('proof_of_address-r1')));
    assert.equal(onDisk.includes(Buffer.from([0xff, 0xd8, 0xff])), false, 'no JPEG marker');
    assert.equal(pdfOnDisk.includes('%PDF'), false, 'no PDF header');
    assert.equal(pdfOnDisk.includes('256789121'), false, 'no NIF');
    assert.deepEqual(await storage.get(keyFor('licence_front-r1')), { bytes: photo, contentType: 'image/jpeg' });
    assert.deepEqual((await storage.get(keyFor('proof_of_address-r1'))).bytes, pdf);
  });

  it('fails loudly, and reports it, on a flipped byte, a wrong key, a file moved, and a file planted unencrypted', async () => {
    const k1 = masterKey('k1');
    const { storage, broken, dir, backend } = open([k1]);
    const bytes = await makeJpeg({ width: 100, height: 80 });
    const [a, b, c] = [keyFor('a'), keyFor('b'), keyFor('c')];
    for (const key of [a, b, c]) await storage.put(key, bytes, 'image/jpeg');

    // A byte flipped on disk: the backend's own record of the bytes no longer matches.
    const fileA = path.join(dir, a);
    const onDisk = await readFile(fileA);
    onDisk[onDisk.length - 10] = onDisk.at(-10)! ^ 0x01;
    await writeFile(fileA, onDisk);
    await assert.rejects(storage.get(a), StoredObjectCorrupt);
    // The same flip with the record rewritten to match (who can write the disk can do both): the seal refuses it.
    await backend.put(a, onDisk, 'image/jpeg');
    await assert.rejects(storage.get(a), (error) => error instanceof SealBroken && error.reason === 'tampered');
    // Another master key, and the file copied to another document's key.
    await assert.rejects(open([masterKey('k9')], dir).storage.get(b), (error) => error instanceof SealBroken && error.reason === 'unknown-key');
    await mkdir(path.dirname(path.join(dir, keyFor('d'))), { recursive: true });
    for (const suffix of ['', '~meta.json']) await copyFile(path.join(dir, b) + suffix, path.join(dir, keyFor('d')) + suffix);
    await assert.rejects(storage.get(keyFor('d')), (error) => error instanceof SealBroken && error.reason === 'tampered');
    // A plain file put straight on the backend.
    await backend.put(c, bytes, 'image/jpeg');
    await assert.rejects(storage.get(c), (error) => error instanceof SealBroken && error.reason === 'not-sealed');
    assert.deepEqual(broken, [[a, 'tampered'], [a, 'tampered'], [keyFor('d'), 'tampered'], [c, 'not-sealed']]);
  });

  it('keys:rotate re-wraps every object with the current key (payload untouched), encrypts a plain one, and lists one that does not open', async () => {
    const [k1, k2] = [masterKey('k1'), masterKey('k2')];
    const dir = folder();
    const before = open([k1], dir);
    const photo = await makeJpeg({ width: 120, height: 90 });
    const keys = [keyFor('x'), keyFor('y'), `media/351912345678_c.us/${randomBytes(16).toString('hex')}`];
    for (const key of keys) await before.storage.put(key, photo, 'image/jpeg');
    const payloadOf = async (key: string) => (await readFile(path.join(dir, key))).subarray(-photo.length);
    const payloads = await Promise.all(keys.map(payloadOf));
    const plainKey = keyFor('plain');
    await before.backend.put(plainKey, photo, 'image/jpeg');
    const strangerKey = keyFor('stranger');
    await open([masterKey('k7')], dir).storage.put(strangerKey, photo, 'image/jpeg');

    const report = await rotateStoredKeys(before.backend, keyringOf([k2, k1]), noSubjects);
    assert.deepEqual({ ...report, failed: report.failed.map((failure) => failure.key) }, { keyId: 'k2', alreadyCurrent: 0, rewrapped: 3, encrypted: 1, movedToSubjectKeys: 0, underSubjectKeys: 0, failed: [strangerKey] });
    const after = open([k2], dir);
    for (const [index, key] of keys.entries()) {
      assert.equal(sealedWith(await readFile(path.join(dir, key))), 'k2');
      assert.deepEqual(await payloadOf(key), payloads[index], 'the payload as it was');
      assert.deepEqual((await after.storage.get(key)).bytes, photo, 'read with the new key alone');
    }
    assert.deepEqual((await after.storage.get(plainKey)).bytes, photo);
    const again = await rotateStoredKeys(before.backend, keyringOf([k2]), noSubjects);
    assert.deepEqual([again.alreadyCurrent, again.rewrapped, again.encrypted, again.failed.length], [4, 0, 0, 1]);
  });
});
