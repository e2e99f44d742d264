import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestSystem } from './test-system.ts';

const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/**
 * A worker in its own process, with this system's configuration; resolves once it polls.
 * `overrides` changes that configuration for this worker (undefined: the key is unset).
 */
export async function startChildWorker(sut: TestSystem, overrides: Record<string, string | undefined> = {}): Promise<ChildProcess> {
  const env: Record<string, string | undefined> = { ...process.env, ...sut.env, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete env[key];
  const child = fork(workerScript, { execArgv: ['--import', 'tsx'], env, stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
  return child;
}

/** SIGKILL: no shutdown, no drain, as a crash or an OOM kill. */
export async function killChildWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
