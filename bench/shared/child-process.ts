/**
 * Starts one of a bench's child processes (`node --import tsx <script>`, so the pid is the Node
 * process itself and /proc/<pid> describes it), takes its messages in order and stops it.
 * Its stdout and stderr go to the bench's stderr: the bench's stdout carries only the result.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StopMessage } from './child-messages.ts';

export interface BenchChild<M> {
  name: string;
  pid: number;
  /** The child's first message; rejects if it exits before sending one. */
  first: Promise<M>;
  /** The next message not taken yet (the first one is `first`); rejects once the process has ended. */
  next(): Promise<M>;
  /** Settles with the reason when the process ends, whoever ended it. */
  exited: Promise<string>;
  /** Asks it to stop (SIGKILL after the grace period); safe to call more than once. */
  stop(): Promise<void>;
}

const stopGraceMs = 30_000;

/** The absolute path of a script beside `importMetaUrl` (a bench passes its own `import.meta.url`). */
export const benchScript = (file: string, importMetaUrl: string) => fileURLToPath(new URL(file, importMetaUrl));

const systemScript = benchScript('./system-process.ts', import.meta.url);

/** One of the system's own processes, the API or the worker, as production runs them (they report a ReadyMessage). */
export function startSystemChild<M>(part: 'api' | 'worker', env: Record<string, string>, nodeFlags: string[] = []): BenchChild<M> {
  return startChild<M>(part === 'api' ? 'API' : 'worker', systemScript, { ...env, BENCH_SYSTEM_PART: part }, nodeFlags);
}

export function startChild<M>(name: string, script: string, env: Record<string, string>, nodeFlags: string[] = []): BenchChild<M> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], {
    stdio: ['ignore', 2, 2, 'ipc'],
    env: { ...process.env, ...env },
  });
  if (child.pid === undefined) throw new Error(`Could not start the ${name} process`);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal === null ? `exit code ${code}` : `killed by ${signal}`));
    child.once('error', (error) => resolve(`could not run: ${error.message}`));
  });

  const queued: M[] = [];
  const waiting: Array<{ resolve: (message: M) => void; reject: (error: Error) => void }> = [];
  let ended: string | undefined;
  const endedError = () => new Error(`The ${name} process ended (${ended}) before reporting`);
  child.on('message', (message) => {
    const waiter = waiting.shift();
    if (waiter === undefined) queued.push(message as M);
    else waiter.resolve(message as M);
  });
  void exited.then((reason) => {
    ended = reason;
    for (const waiter of waiting.splice(0)) waiter.reject(endedError());
  });
  const next = (): Promise<M> => {
    if (queued.length > 0) return Promise.resolve(queued.shift()!);
    if (ended !== undefined) return Promise.reject(endedError());
    return new Promise<M>((resolve, reject) => waiting.push({ resolve, reject }));
  };
  const first = next();
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

  return { name, pid: child.pid, first, next, exited, stop };
}
