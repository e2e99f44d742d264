import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

/** The project's workflows, as the worker bundles them (tests and benchmarks bundle this once per run). */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

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
  /** A pre-built workflow bundle (tests and benchmarks build one per run); default: bundle from source. */
  workflowBundlePath?: string | undefined;
  /** The payload codec every client and worker of the system shares (encryption, platform/crypto/payload-codec.ts). */
  dataConverter?: DataConverter | undefined;
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped; rejects if it failed. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** A worker on its own connection, with the project's workflows, running until `stop()`. */
export async function startWorker(
  where: WorkerPlace,
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'workflowsPath' | 'workflowBundle'>,
): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: where.address });
  const worker = await Worker.create({
    connection,
    namespace: where.namespace,
    taskQueue: where.taskQueue,
    ...(where.workflowBundlePath === undefined ? { workflowsPath } : { workflowBundle: { codePath: where.workflowBundlePath } }),
    ...(where.dataConverter === undefined ? {} : { dataConverter: where.dataConverter }),
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
