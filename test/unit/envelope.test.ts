import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError, encodeErrorToFailure, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { systemDataConverter } from '../../platform/crypto/data-converter.ts';
import { SealBroken, isSealed, rewrap, seal, sealedWith, unseal } from '../../platform/crypto/envelope.ts';
import { developmentKeyring, keyringOf, masterKeysProblems, newMasterKey, parseMasterKeys } from '../../platform/crypto/keyring.ts';

const key = (id: string) => ({ id, key: randomBytes(32) });
const k1 = key('k1');
const k2 = key('k2');
const storageKey = 'registrations/0b6f3c1e-6a57-4d4f-9a3e-2f1c5d7e8a90/documents/licence_front-r1';
const plain = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('NIF 123456789, Rua das Flores 12'), randomBytes(4096)]);

const refusal = (reason: string) => (error: unknown) => error instanceof SealBroken && error.reason === reason;

describe('envelope encryption of stored files', () => {
  it('seals with a data key of its own: none of the plain bytes show, and the key\'s holder gets them back', () => {
    const sealed = seal(plain, keyringOf([k1]), storageKey);
    assert.ok(isSealed(sealed));
    assert.equal(sealed.includes(Buffer.from([0xff, 0xd8, 0xff])), false, 'no JPEG marker');
    assert.equal(sealed.includes('123456789'), false, 'no NIF');
    assert.equal(sealed.includes('Flores'), false);
    assert.deepEqual(unseal(sealed, keyringOf([k1]), storageKey), plain);
    assert.notDeepEqual(seal(plain, keyringOf([k1]), storageKey), sealed, 'a fresh data key and IV every time');
  });

  it('refuses a flipped byte anywhere, another key, a file moved to another key, and bytes that were never sealed', () => {
    const sealed = seal(plain, keyringOf([k1]), storageKey);
    for (const at of [5, 10, 30, 70, 90, sealed.length - 1]) {
      const flipped = Buffer.from(sealed);
      flipped[at] = flipped[at]! ^ 0x01;
      assert.throws(() => unseal(flipped, keyringOf([k1]), storageKey), (error) => error instanceof SealBroken, `byte ${at}`);
    }
    assert.throws(() => unseal(sealed, keyringOf([k2]), storageKey), refusal('unknown-key'));
    assert.throws(() => unseal(sealed, keyringOf([{ id: 'k1', key: k2.key }]), storageKey), refusal('tampered'), 'the same id, another key');
    assert.throws(() => unseal(sealed, keyringOf([k1]), storageKey.replace('licence_front', 'licence_back')), refusal('tampered'));
    assert.throws(() => unseal(plain, keyringOf([k1]), storageKey), refusal('not-sealed'));
    assert.throws(() => unseal(sealed.subarray(0, 40), keyringOf([k1]), storageKey), refusal('tampered'), 'cut short');
  });

  it('re-wraps under the current master key without touching the payload, so the old key can go', () => {
    const sealed = seal(plain, keyringOf([k1]), storageKey);
    const rewrapped = rewrap(sealed, keyringOf([k2, k1]), storageKey);
    assert.equal(sealedWith(rewrapped), 'k2');
    const payload = (bytes: Buffer) => bytes.subarray(bytes.length - plain.length);
    assert.deepEqual(payload(rewrapped), payload(sealed), 'the encrypted payload is the same bytes');
    assert.deepEqual(unseal(rewrapped, keyringOf([k2]), storageKey), plain);
    const damaged = Buffer.from(sealed);
    damaged[damaged.length - 1] = damaged.at(-1)! ^ 0x01;
    assert.throws(() => rewrap(damaged, keyringOf([k2, k1]), storageKey), refusal('tampered'), 'a damaged file gets no fresh header');
  });

  it('reads MASTER_KEYS as id:base64 pairs, the first current, and names what is wrong without quoting key material', () => {
    const [a, b] = [newMasterKey('2027-01'), newMasterKey('2026-06')];
    const keyring = parseMasterKeys(` ${a} , ${b} `);
    assert.equal(keyring.current.id, '2027-01');
    assert.deepEqual(keyring.ids(), ['2027-01', '2026-06']);
    assert.equal(keyring.find('2026-06')?.key.length, 32);
    const short = `k:${randomBytes(16).toString('base64')}`;
    const problems = [masterKeysProblems(''), masterKeysProblems(short), masterKeysProblems(`${a},${a}`), masterKeysProblems(`Caps:${a.split(':')[1]}`)];
    assert.deepEqual(problems.map((list) => list.length), [1, 1, 1, 1]);
    assert.match(problems[1]![0]!, /32 bytes in base64/);
    assert.match(problems[2]![0]!, /used twice/);
    for (const text of problems.flat()) assert.equal(text.includes(short.slice(2)) || text.includes(a.split(':')[1]!), false, 'no key material in a message');
  });
});

describe('the development master key', () => {
  it('is made once under DATA_DIR/keys (0600), even by processes starting together, and kept', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'dev-key-'));
    try {
      const together = await Promise.all(Array.from({ length: 8 }, () => developmentKeyring(dataDir)));
      assert.equal(together.filter((result) => result.created).length, 1);
      assert.equal(new Set(together.map((result) => result.keyring.current.key.toString('hex'))).size, 1);
      assert.equal((await stat(together[0]!.file)).mode & 0o777, 0o600);
      const later = await developmentKeyring(dataDir);
      assert.deepEqual([later.created, later.keyring.current.id], [false, together[0]!.keyring.current.id]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('failures written to Temporal', () => {
  it('carry their message and stack trace encrypted, and the system reads them back', async () => {
    // Loaded as the SDK loads it for a client or worker: by path, then through the payload codec.
    const converter = loadDataConverter(systemDataConverter(keyringOf([k1])));
    const failure = await encodeErrorToFailure(converter, ApplicationFailure.nonRetryable('O NIF 256789121 de Rui Camelo não confere', 'Invalid'));
    assert.equal(failure.message, 'Encoded failure');
    assert.equal(failure.stackTrace, '');
    assert.equal(Buffer.from(failure.encodedAttributes!.metadata!.encoding!).toString(), 'binary/encrypted');
    assert.equal(Buffer.from(failure.encodedAttributes!.data!).includes('256789121'), false, 'no NIF in what Temporal keeps');
    const back = await decodeOptionalFailureToOptionalError(converter, failure);
    assert.ok(back instanceof ApplicationFailure);
    assert.equal(back.message, 'O NIF 256789121 de Rui Camelo não confere');
    assert.equal(back.type, 'Invalid');
  });
});
