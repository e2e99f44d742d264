import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Tracing } from '../platform/tracing/tracing.ts';
import { moduleBeside } from '../platform/module-path.ts';

/** The project's workflows, as the worker bundles them (tests and benchmarks bundle this once per run). */
export const workflowsPath = fileURLToPath(moduleBeside(import.meta.url, '../workflows/index'));

/** The bundle `npm run build` made beside the compiled code (with the tracing interceptors or without); none when running from source. */
function prebuiltBundle(traced: boolean): string | undefined {
  const file = fileURLToPath(new URL(`../workflow-bundles/${traced ? 'traced' : 'plain'}.js`, import.meta.url));
  return existsSync(file) ? file : undefined;
}

/**
 * How long a workflow task waits on a worker's own (sticky) queue before any worker may take it.
 * Temporal's 10 s default means that after a restart or deploy, a reviewer's decision or a chat
 * message waits 10 s for the worker that is gone; 3 s keeps that short at the cost of a replay.
 */
export const stickyQueueScheduleToStartTimeout = '3 seconds';

export interface WorkerPlace {
  address: string;
  namespace: string;
  taskQueue: string;
  /** A pre-built workflow bundle (tests and benchmarks build one per run); default: the one `npm run build` made, else bundle from source. */
  workflowBundlePath?: string | undefined;
  /** The payload codec every client and worker of the system shares (encryption, platform/crypto/payload-codec.ts). */
  dataConverter?: DataConverter | undefined;
  /** Tracing, when it is on in this process (README, "Tracing"): the worker's interceptors and the workflow spans' sink. */
  tracing?: Tracing | undefined;
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped; rejects if it failed. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** A worker on its own connection, with the project's workflows (unless `workflows` is false: activities only), running until `stop()`. */
export async function startWorker(
  where: WorkerPlace,
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'workflowsPath' | 'workflowBundle'>,
  { workflows = true }: { workflows?: boolean } = {},
): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: where.address });
  const bundlePath = where.workflowBundlePath ?? prebuiltBundle(where.tracing !== undefined);
  const code = !workflows ? {} : bundlePath === undefined ? { workflowsPath } : { workflowBundle: { codePath: bundlePath } };
  // Loaded only when tracing is on: with it off, no interceptor and no sink.
  const traced = where.tracing === undefined
    ? {}
    : (await import('./tracing.ts')).tracingWorkerOptions(where.tracing, bundlePath === undefined ? 'from-source' : 'prebuilt');
  const worker = await Worker.create({
    connection,
    namespace: where.namespace,
    taskQueue: where.taskQueue,
    ...code,
    ...(where.dataConverter === undefined ? {} : { dataConverter: where.dataConverter }),
    ...traced,
    ...options,
  });
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
