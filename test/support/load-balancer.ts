/**
 * HAProxy (Debian's, found or installed by scripts/test.ts and handed over as TEST_HAPROXY_PATH) in
 * front of two API instances with the production configuration, ops/haproxy/haproxy.cfg: round
 * robin, WPPConnect's webhooks to one instance at a time, each instance checked on GET /health/live every
 * half second, a request that got no answer (the instance died under it) sent again to the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.ts';
import { freePort } from './free-port.ts';

/** Why there is no HAProxy here, or undefined when there is one. */
export const haproxyMissing = (): string | undefined =>
  process.env.TEST_HAPROXY_PATH ? undefined : (process.env.TEST_HAPROXY_MISSING ?? 'TEST_HAPROXY_PATH is not set (run through scripts/test.ts)');

export interface LoadBalancer {
  url: string;
  /** HAProxy's own lines on an instance going down or up (with why), for a failed test to show. */
  stateChanges(): string[];
  stop(): Promise<void>;
}

const configFile = fileURLToPath(new URL('../../ops/haproxy/haproxy.cfg', import.meta.url));

export async function startLoadBalancer(backendPorts: readonly [number, number]): Promise<LoadBalancer> {
  const executable = process.env.TEST_HAPROXY_PATH;
  if (executable === undefined) throw new Error(`no HAProxy: ${haproxyMissing()}`);
  const port = await freePort();
  const env = { LB_BIND: `127.0.0.1:${port}`, API_1: `127.0.0.1:${backendPorts[0]}`, API_2: `127.0.0.1:${backendPorts[1]}` };
  const child: ChildProcess = spawn(executable, ['-f', configFile, '-db'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  // All of it (HAProxy writes only its warnings here): a line may come over two chunks.
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${stderr.slice(-4000)}`);
    return (await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined;
  }, 20_000, 'HAProxy answering through an API');
  return {
    url,
    stateChanges: () => stderr.split('\n').filter((line) => / is (DOWN|UP)\b/.test(line)).map((line) => line.trim()),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
