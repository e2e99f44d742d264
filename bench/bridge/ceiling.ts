/**
 * The engine ceiling, measured on the same Temporal server as the bridge: as many signals as the
 * bridge gets messages, over as many workflows as it has chats, sent with signalWithStart at the
 * same concurrency and in the same order, into `ceilingChat` workflows that run one no-op activity
 * per signal. Rate = signals / time from the first signal until the worker has run every activity.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { Cleanups } from '../shared/cleanups.ts';
import { benchScript, startChild } from '../shared/child-process.ts';
import { cpuBetween, cpuSnapshot } from '../shared/process-stats.ts';
import type { BenchChats } from './bench-chats.ts';
import type { CeilingWorkerMessage } from './ceiling-messages.ts';
import { ceilingChat, ceilingEventSignal } from './ceiling-workflow.ts';
import { sendAsFastAsTaken } from './send-schedules.ts';
import { withTimeout } from './waiting.ts';

export interface CeilingOptions {
  temporal: Client;
  /** TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, BENCH_CEILING_TASK_QUEUE, BENCH_CEILING_BUNDLE. */
  env: Record<string, string>;
  nodeFlags: string[];
  /** The same chats and messages as the bridge's full-speed phase (only their count and order matter). */
  chats: BenchChats;
  concurrency: number;
  /** Pids to read CPU time from while it runs (the bench, the Temporal server); the worker is added. */
  pids: Record<string, number>;
  timeoutMs: number;
  cleanups: Cleanups;
  log: (line: string) => void;
}

export interface CeilingResult {
  signals: number;
  workflows: number;
  elapsedMs: number;
  signalWithStartMs: number[];
  cpuSeconds: Record<string, number | null>;
}

export async function measureCeiling(options: CeilingOptions): Promise<CeilingResult> {
  const { chats, temporal } = options;
  const taskQueue = options.env.BENCH_CEILING_TASK_QUEUE!;
  const worker = startChild<CeilingWorkerMessage>('ceiling worker', benchScript('./ceiling-worker-process.ts', import.meta.url), {
    ...options.env,
    BENCH_CEILING_ACTIVITIES: String(chats.total),
  }, options.nodeFlags);
  options.cleanups.add('ceiling worker process', () => worker.stop());
  if ((await worker.first).type !== 'ready') throw new Error('The ceiling worker did not say ready first');
  const pids = { ...options.pids, ceiling_worker: worker.pid };

  options.log(`Ceiling: ${chats.total} signals into ${chats.chats} workflows, ${options.concurrency} in flight`);
  const runId = `${Date.now()}`;
  const signalWithStartMs: number[] = [];
  const cpuBefore = await cpuSnapshot(pids);
  const started = performance.now();
  const done = worker.next();
  done.catch(() => undefined); // awaited below; a worker that dies first must not be an unhandled rejection
  await sendAsFastAsTaken({ total: chats.total, chatOf: (index) => chats.messageAt(index).chat }, options.concurrency, async (index) => {
    const { chat, sequence } = chats.messageAt(index);
    const sent = performance.now();
    await temporal.workflow.signalWithStart(ceilingChat, {
      workflowId: `bench-ceiling-${runId}-${chat}`,
      taskQueue,
      args: [{ expected: chats.perChat }],
      signal: ceilingEventSignal,
      signalArgs: [sequence],
    });
    signalWithStartMs.push(performance.now() - sent);
  });
  const finished = await withTimeout(done, options.timeoutMs, `All ${chats.total} ceiling activities`);
  const elapsedMs = performance.now() - started;
  if (finished.type !== 'done') throw new Error('Unexpected message from the ceiling worker');
  const cpuSeconds = cpuBetween(cpuBefore, await cpuSnapshot(pids));
  await worker.stop();
  return { signals: chats.total, workflows: chats.chats, elapsedMs, signalWithStartMs, cpuSeconds };
}
