/**
 * What the backup tests need besides a running system (scripts/test.ts provides it when a file
 * imports this module): whether pg_dump and pg_restore are there (`pgClientMissing`), and a real S3
 * endpoint: Versity's gateway serving a folder of the run's scratch space (`startS3`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { testEnvironment } from './test-system.ts';

/** Why the backup tests cannot run here, or undefined when pg_dump and pg_restore are there. */
export const pgClientMissing = (): string | undefined => process.env.TEST_PG_CLIENT_MISSING;

/** Why the S3 test cannot run here, or undefined when versitygw is there. */
export const versitygwMissing = (): string | undefined =>
  process.env.TEST_VERSITYGW_PATH === undefined ? (process.env.TEST_VERSITYGW_MISSING ?? 'scripts/test.ts did not look for versitygw') : undefined;

export interface S3Endpoint {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The folder the gateway serves: `<root>/<bucket>/<key>`. */
  root: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1');
  const done = (answered: boolean) => {
    socket.destroy();
    resolve(answered);
  };
  socket.once('connect', () => done(true)).once('error', () => done(false));
  socket.setTimeout(1000, () => done(false));
});

/** versitygw on a free loopback port over a folder of its own, with one bucket made through S3 itself. */
export async function startS3(): Promise<S3Endpoint> {
  const executable = process.env.TEST_VERSITYGW_PATH;
  if (executable === undefined) throw new Error(`versitygw is not available: ${versitygwMissing()}`);
  const root = await mkdtemp(path.join(testEnvironment().scratchDir, 's3-'));
  const sidecar = path.join(root, '.metadata');
  const data = path.join(root, 'buckets');
  await mkdir(sidecar);
  await mkdir(data);
  const port = await freePort();
  const accessKeyId = `test${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  // Metadata in a sidecar folder: the scratch filesystem may not take extended attributes.
  const child = spawn(executable, ['--port', `127.0.0.1:${port}`, '--access', accessKeyId, '--secret', secretAccessKey, '--quiet', 'posix', '--sidecar', sidecar, data], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`versitygw did not start: ${stderr.trim()}`);
    }
    await sleep(100);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = 'leguas-backups';
  const region = 'us-east-1';
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return { endpoint, bucket, region, accessKeyId, secretAccessKey, root: data, stop };
}
