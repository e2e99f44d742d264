/**
 * Two API instances on one Redis (REDIS_URL) share their rate-limit counts, and the per-NIF and
 * per-phone keys in Redis are keyed hashes. Redis: REDIS_URL, else 127.0.0.1:6379, else a
 * `redis-server` started here when it is on PATH; otherwise the test is skipped, saying why.
 */
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { requestErrors } from '../../domain/texts/intake.ts';
import { flatPayload, randomMobile, randomNif, sampleDocuments } from '../support/registration-payloads.ts';
import { Redis } from 'ioredis';
import { freePort } from '../support/free-port.ts';
import { findRedis } from '../support/redis.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';

const redis = await findRedis();

describe('rate limits shared through Redis by two API instances', { skip: 'skip' in redis ? redis.skip : false }, () => {
  const intakeSecret = `test-intake-${randomUUID()}`;
  // Each run's own client address (TRUST_PROXY names the local proxy), so runs sharing a Redis do not share a count.
  const clientAddress = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  let first: TestSystem;
  let second: TestSystem;
  before(async () => {
    if ('skip' in redis) return;
    const env = {
      REDIS_URL: redis.url, TRUST_PROXY: '127.0.0.1', INTAKE_SHARED_SECRET: intakeSecret,
      RATE_LIMIT_PER_ADDRESS: '4', RATE_LIMIT_WINDOW: '10m', RATE_LIMIT_INTAKE_PER_NIF: '1', RATE_LIMIT_INTAKE_PER_PHONE: '5',
    };
    first = await startTestSystem(env, { worker: false });
    second = await startTestSystem(env, { worker: false });
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
    if (!('skip' in redis)) await redis.stop();
  });

  it('counts wrong-token requests from one address across both instances', async () => {
    const wrong = (sut: TestSystem) => sut.call('GET', '/drivers', undefined, { authorization: 'Bearer not-a-reviewer-token-at-all', 'x-forwarded-for': clientAddress });
    const statuses = [];
    for (const sut of [first, second, first, second, first, second]) statuses.push((await wrong(sut)).status);
    // In each instance's memory it would be three each, all under four: 401 throughout.
    assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
    assert.equal((await first.call('GET', '/drivers?limit=1', undefined, { authorization: `Bearer ${first.reviewerToken}`, 'x-forwarded-for': clientAddress })).status, 200, 'an authenticated reviewer from that address is not limited');
  });

  it("counts a NIF's submissions across both instances, with hashed keys in Redis", async () => {
    const documents = await sampleDocuments();
    const nif = randomNif();
    const telefone = randomMobile();
    const submit = (sut: TestSystem, phone: string) => sut.call('POST', '/drivers/register-typebot/', flatPayload(documents, { nif, telefone: phone }), { 'x-intake-token': intakeSecret });
    assert.equal((await submit(first, telefone)).status, 201);
    const refused = await submit(second, randomMobile());
    assert.deepEqual([refused.status, refused.body.error], [429, requestErrors.tooManySubmissions]);

    if ('skip' in redis) return;
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('leguas-rate:*');
      assert.ok(keys.some((key) => key.includes(`address:${clientAddress}`)), `the address count is in Redis: ${keys.join(', ')}`);
      assert.ok(keys.some((key) => key.includes('nif:')) && keys.some((key) => key.includes('phone:')));
      const digits = telefone.replace(/\D/g, '');
      assert.deepEqual(keys.filter((key) => key.includes(nif) || key.includes(digits)), [], 'no NIF or phone in plain');
    } finally {
      client.disconnect();
    }
  });
});

describe('rate limits while Redis does not answer', () => {
  it('skips the limits (authentication still holds) and stops cleanly', async () => {
    const port = await freePort();
    const sut = await startTestSystem({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PER_ADDRESS: '1' }, { worker: false });
    try {
      for (let i = 0; i < 3; i += 1) {
        assert.equal((await sut.call('GET', '/drivers', undefined, { authorization: 'Bearer not-a-reviewer-token-at-all' })).status, 401);
      }
      assert.equal((await sut.asReviewer('GET', '/drivers?limit=1')).status, 200);
    } finally {
      await sut.stop();
    }
  });
});
