import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestSystem } from './test-system.ts';

const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/** A worker in its own process, with this system's configuration; resolves once it polls. */
export async function startChildWorker(sut: TestSystem): Promise<ChildProcess> {
  const child = fork(workerScript, { execArgv: ['--import', 'tsx'], env: { ...process.env, ...sut.env }, stdio: 'inherit' });
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
