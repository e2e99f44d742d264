import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runner } from 'node-pg-migrate';
import { SealBroken, sealedWith } from '../../platform/crypto/envelope.ts';
import { keyringOf, type MasterKey } from '../../platform/crypto/keyring.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import { createDb, inTransaction, type Db } from '../../platform/db.ts';
import { migrate } from '../../platform/migrate.ts';
import { chatMediaKey } from '../../platform/storage/chat-media-key.ts';
import { createEncryptedStorage } from '../../platform/storage/encrypted-storage.ts';
import { createFileStorage } from '../../platform/storage/file-storage.ts';
import { rotateStoredKeys } from '../../platform/storage/rotate-keys.ts';
import { createSubjectKeys, loadPersonalData, rewrapDataKeys } from '../../platform/stores/data-keys.ts';
import { registrationsOfDriver, tombstoneDriver } from '../../platform/stores/driver-data.ts';
import type { DriverFields } from '../../platform/stores/registration-rows.ts';
import { getRegistration, insertRegistration, liveRegistrationByNif, sealPlainRegistrations } from '../../platform/stores/registrations.ts';
import { makeJpeg } from '../fixtures/documents.ts';
import { migrationsDir, ownDatabase } from '../support/own-database.ts';
import { randomNif } from '../support/registration-payloads.ts';

/** The migrations before the data keys' one. */
const before1769 = 7;
const masterKey = (id: string): MasterKey => ({ id, key: randomBytes(32) });

const driver = (overrides: Partial<DriverFields> = {}): DriverFields => ({
  fullName: 'Rui Camelo Dias', nif: randomNif(), phone: `+3519${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
  email: 'rui.camelo@example.pt', address: 'Rua das Camélias 12', postalCode: '4000-123', city: 'Porto', ...overrides,
});

describe('per-subject data keys: personal fields and files, and crypto-shredding', () => {
  const database = ownDatabase('leguas_subject_keys');
  const k1 = masterKey('k1');
  let db: Db;
  let personal: PersonalData;
  let folder: string;
  const legacy = { id: randomUUID(), fields: driver({ fullName: 'Ana Antiga Sousa' }) };

  before(async () => {
    await database.create();
    await runner({ databaseUrl: database.url, dir: migrationsDir, direction: 'up', count: before1769, migrationsTable: 'pgmigrations', log: () => undefined });
    db = createDb(database.url);
    // A registration written before its fields were sealed.
    const { fullName, nif, phone, email, address, postalCode, city } = legacy.fields;
    await db.query(
      `INSERT INTO registrations (id, status, full_name, nif, phone, email, address, postal_code, city, submission_fingerprint)
       VALUES ($1, 'pending_approval', $2, $3, $4, $5, $6, $7, $8, 'x')`, [legacy.id, fullName, nif, phone, email, address, postalCode, city]);
    await migrate(database.url);
    personal = await loadPersonalData(db, keyringOf([k1]));
    folder = await mkdtemp(path.join(tmpdir(), 'subject-keys-'));
  });
  after(async () => {
    await db?.end();
    await database.drop();
    await rm(folder, { recursive: true, force: true });
  });

  const insert = async (fields: DriverFields) => {
    const id = randomUUID();
    await inTransaction(db, (client) => insertRegistration(client, personal, id, fields, 'fingerprint'));
    return id;
  };
  const rawRow = async (id: string) => JSON.stringify((await db.query('SELECT * FROM registrations WHERE id = $1', [id])).rows[0]);

  it('seals every personal field with the registration\'s own key: the row holds none of them, the store reads them, lookups go by keyed hash', async () => {
    const fields = driver();
    const id = await insert(fields);
    const raw = await rawRow(id);
    for (const value of Object.values(fields)) assert.equal(raw.includes(value), false, `"${value}" is not in the row`);
    assert.equal(raw.includes(fields.phone.slice(4)), false, 'nor the phone\'s digits');
    const read = await getRegistration(db, personal, id);
    assert.deepEqual(read && { ...read }, read && { ...read, ...fields });
    assert.equal((await liveRegistrationByNif(db, personal, fields.nif))?.id, id);
    assert.equal(await liveRegistrationByNif(db, personal, randomNif()), null);
    assert.deepEqual((await registrationsOfDriver(db, personal, { phone: fields.phone })).map((row) => row.id), [id]);
    // Another master key cannot open the registration's key, and the index key differs with it.
    const stranger = await loadPersonalData(db, keyringOf([masterKey('k9')])).catch((error: unknown) => error);
    assert.ok(stranger instanceof SealBroken && stranger.reason === 'unknown-key');
  });

  it('refuses a second live registration with the same NIF (the unique index is on its keyed hash)', async () => {
    const fields = driver();
    await insert(fields);
    await assert.rejects(insert({ ...fields, fullName: 'Outra Pessoa' }), /registrations_one_live_per_nif/);
  });

  it('seals a registration written before, at start, once', async () => {
    const raw = await rawRow(legacy.id);
    assert.ok(raw.includes(legacy.fields.nif), 'plain before');
    assert.equal(await sealPlainRegistrations(db, personal), 1);
    assert.equal(await sealPlainRegistrations(db, personal), 0);
    const sealed = await rawRow(legacy.id);
    for (const value of Object.values(legacy.fields)) assert.equal(sealed.includes(value), false, `"${value}" sealed`);
    assert.equal((await liveRegistrationByNif(db, personal, legacy.fields.nif))?.fullName, 'Ana Antiga Sousa');
  });

  it('keeps a registration\'s files and a chat\'s media under their subject\'s key; an erasure destroys it, so a backup copy no longer opens', async () => {
    const broken: Array<[string, string]> = [];
    const dir = path.join(folder, 'store');
    const storage = createEncryptedStorage(createFileStorage(dir), personal.keyring, createSubjectKeys(db, personal), async (key, reason) => { broken.push([key, reason]); });
    const photo = await makeJpeg({ width: 160, height: 120 });
    const [erased, kept] = [await insert(driver()), await insert(driver())];
    const chatId = `3519${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}@c.us`;
    const files = { erased: `registrations/${erased}/documents/licence_front-r1`, kept: `registrations/${kept}/documents/licence_front-r1`, media: chatMediaKey(personal, chatId, `true_${chatId}_ABC`) };
    for (const key of Object.values(files)) await storage.put(key, photo, 'image/jpeg');
    for (const key of Object.values(files)) assert.match(sealedWith(await readFile(path.join(dir, key))), /^dk:/, `${key} under a subject's key`);
    // A backup taken before the erasure: the objects as they are at rest.
    const backup = path.join(folder, 'backup');
    const backedUp = async (key: string) => {
      await mkdir(path.dirname(path.join(backup, key)), { recursive: true });
      for (const suffix of ['', '~meta.json']) await copyFile(path.join(dir, key) + suffix, path.join(backup, key) + suffix);
    };
    await backedUp(files.erased);
    await backedUp(files.media);

    await storage.deletePrefix(`registrations/${erased}`);
    await tombstoneDriver(db, personal, [erased], [chatId]);

    const restored = createEncryptedStorage(createFileStorage(backup), personal.keyring, createSubjectKeys(db, personal), async (key, reason) => { broken.push([key, reason]); });
    for (const key of [files.erased, files.media]) {
      await assert.rejects(restored.get(key), (error) => error instanceof SealBroken && error.reason === 'key-destroyed', `${key} does not open from the backup`);
    }
    assert.deepEqual(broken, [[files.erased, 'key-destroyed'], [files.media, 'key-destroyed']]);
    assert.deepEqual((await storage.get(files.kept)).bytes, photo, 'another driver\'s file still opens');
    const tombstone = await getRegistration(db, personal, erased);
    assert.deepEqual([tombstone?.status, tombstone?.nif, tombstone?.fullName], ['erased', '', '']);
    // The chat's media folder starts again with a new key: the driver may write again.
    await storage.put(files.media, photo, 'image/jpeg');
    assert.deepEqual((await storage.get(files.media)).bytes, photo);
  });

  it('keys:rotate re-wraps the subjects\' keys (their files untouched) and moves files wrapped by a master key under their subject\'s key', async () => {
    const dir = path.join(folder, 'rotate');
    const id = await insert(driver());
    const subjectFile = `registrations/${id}/documents/proof_of_address-r1`;
    const olderFile = `registrations/${id}/documents/licence_back-r1`;
    const photo = await makeJpeg({ width: 90, height: 60 });
    await createEncryptedStorage(createFileStorage(dir), personal.keyring, createSubjectKeys(db, personal)).put(subjectFile, photo, 'image/jpeg');
    // Written before subject keys: wrapped by the master key.
    await createEncryptedStorage(createFileStorage(dir), personal.keyring, undefined).put(olderFile, photo, 'image/jpeg');
    const subjectBytes = await readFile(path.join(dir, subjectFile));

    const k2 = masterKey('k2');
    const rotated = keyringOf([k2, k1]);
    const keys = await rewrapDataKeys(db, rotated);
    assert.equal(keys.failed.length, 0);
    assert.ok(keys.rewrapped >= 3, 'the index key and the registrations\' keys');
    const withNewKey = await loadPersonalData(db, keyringOf([k2]));
    const files = await rotateStoredKeys(createFileStorage(dir), rotated, createSubjectKeys(db, withNewKey));
    assert.deepEqual([files.underSubjectKeys, files.movedToSubjectKeys, files.failed.length], [1, 1, 0]);
    assert.deepEqual(await readFile(path.join(dir, subjectFile)), subjectBytes, 'a subject\'s file is not rewritten');
    const afterwards = createEncryptedStorage(createFileStorage(dir), keyringOf([k2]), createSubjectKeys(db, withNewKey));
    for (const key of [subjectFile, olderFile]) assert.deepEqual((await afterwards.get(key)).bytes, photo, `${key} opens with the new master key alone`);
    assert.equal((await getRegistration(db, withNewKey, id))?.city, 'Porto');
    assert.equal(withNewKey.index('nif', '123456789'), personal.index('nif', '123456789'), 'the blind index outlives the rotation');
  });
});
