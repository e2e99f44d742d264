/**
 * Two API instances on one Redis (REDIS_URL) share their rate-limit counts, and the per-NIF and
 * per-phone keys in Redis are keyed hashes. Redis: REDIS_URL, else 127.0.0.1:6379, else a
 * `redis-server` started here when it is on PATH; otherwise the test is skipped, saying why.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { requestErrors } from '../../domain/texts/intake.ts';
import { flatPayload, randomMobile, randomNif, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  }).on('error', reject);
});

/** A Redis to use, and how to stop it when it was started here; or why there is none. */
async function findRedis(): Promise<{ url: string; stop(): Promise<void> } | { skip: string }> {
  // The environment's Redis, as an operator would set REDIS_URL (tests read it only here).
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(url)) return { url, stop: async () => undefined };
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve());
    });
  } catch {
    return { skip: `no Redis answers at ${url} and redis-server is not on PATH` };
  }
  const own = `redis://127.0.0.1:${port}`;
  await eventually(async () => ((await answers(own)) ? true : undefined), 10_000, 'redis-server to answer');
  return { url: own, stop: async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  } };
}

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
