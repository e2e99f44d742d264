/**
 * A Redis for the tests that share state between API instances: REDIS_URL, else 127.0.0.1:6379,
 * else a `redis-server` started here when it is on the PATH; otherwise why there is none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { eventually } from './eventually.ts';
import { freePort } from './free-port.ts';

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

/** A Redis to use, and how to stop it when it was started here; or why there is none. */
export async function findRedis(): Promise<{ url: string; stop(): Promise<void> } | { skip: string }> {
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

