/**
 * Starts one of the bench's child processes (`node --import tsx <script>`, so the pid is the
 * Node process itself and /proc/<pid> describes it), waits for its first message and stops it.
 * Its stdout and stderr go to the bench's stderr: the bench's stdout carries only the result.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildMessage, StopMessage } from './child-messages.ts';

export interface BenchChild {
  name: string;
  pid: number;
  /** The child's first message; rejects if it exits before sending one. */
  first: Promise<ChildMessage>;
  /** Settles with the reason when the process ends, whoever ended it. */
  exited: Promise<string>;
  /** Asks it to stop (SIGKILL after the grace period); safe to call more than once. */
  stop(): Promise<void>;
}

const stopGraceMs = 30_000;

export const benchScript = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export function startChild(name: string, script: string, env: Record<string, string>, nodeFlags: string[] = []): BenchChild {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], {
    stdio: ['ignore', 2, 2, 'ipc'],
    env: { ...process.env, ...env },
  });
  if (child.pid === undefined) throw new Error(`Could not start the ${name} process`);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal === null ? `exit code ${code}` : `killed by ${signal}`));
    child.once('error', (error) => resolve(`could not run: ${error.message}`));
  });
  const first = new Promise<ChildMessage>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ChildMessage));
    void exited.then((reason) => reject(new Error(`The ${name} process ended (${reason}) before reporting`)));
  });
  first.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' } satisfies StopMessage);
    else child.kill('SIGTERM');
    const graceOver = Symbol('grace over');
    if ((await Promise.race([exited, sleep(stopGraceMs, graceOver, { ref: false })])) === graceOver) {
      console.error(`[bench] the ${name} process (pid ${child.pid}) did not stop in ${stopGraceMs / 1000} s: killing it`);
      child.kill('SIGKILL');
      await exited;
    }
  })());

  return { name, pid: child.pid, first, exited, stop };
}
