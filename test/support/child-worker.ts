import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestSystem } from './test-system.ts';

const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const apiScript = fileURLToPath(new URL('./api-process.ts', import.meta.url));

function childEnv(sut: TestSystem, overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...sut.env,
    // The system's own Temporal server and database, when not the run's shared ones (the fault matrix).
    TEST_TEMPORAL_ADDRESS: sut.temporalAddress,
    TEST_DATABASE_URL: sut.databaseUrl,
    ...overrides,
  };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete env[key];
  return env;
}

/**
 * A worker in its own process, with this system's configuration; resolves once it polls.
 * `overrides` changes that configuration for this worker (undefined: the key is unset).
 */
export async function startChildWorker(sut: TestSystem, overrides: Record<string, string | undefined> = {}): Promise<ChildProcess> {
  const child = fork(workerScript, { execArgv: ['--import', 'tsx'], env: childEnv(sut, overrides), stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
  return child;
}

/**
 * The API in its own process, with this system's configuration (PORT 0: a new port at each start);
 * resolves with its URL once it listens. The caller points the simulators' webhooks at it.
 */
export async function startChildApi(sut: TestSystem, overrides: Record<string, string | undefined> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(apiScript, { execArgv: ['--import', 'tsx'], env: childEnv(sut, overrides), stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { apiUrl: string }) => resolve(message.apiUrl));
    child.once('exit', (code) => reject(new Error(`API exited (${code}) before it listened`)));
  });
  return { child, url };
}

/** SIGKILL: no shutdown, no drain, as a crash or an OOM kill. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** The name the bridge tests know it by. */
export const killChildWorker = killChild;
