import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createBridgeActivities, type BridgeDependencies } from '../activities/bridge/index.ts';
import { createPollingActivities, type PollingDependencies } from '../activities/bridge/polling.ts';
import { createActivities, type ActivityDependencies } from '../activities/index.ts';

/**
 * How long a workflow task waits on a worker's own (sticky) queue before any worker may take it.
 * Temporal's 10 s default means that after a restart or deploy, a reviewer's decision or a chat
 * message waits 10 s for the worker that is gone; 3 s keeps that short at the cost of a replay.
 */
const stickyQueueScheduleToStartTimeout = '3 seconds';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export type RegisteredWorkerTuning = Pick<
  WorkerOptions,
  'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'
>;

export interface RegistrationWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A pre-built workflow bundle (tests and benchmarks build one per run); default: bundle from source. */
  workflowBundlePath?: string;
  tuning?: RegisteredWorkerTuning;
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped; rejects if it failed. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Connects to Temporal and runs the registration worker until `stop()`. */
export async function startRegistrationWorker(options: RegistrationWorkerOptions): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.dependencies),
    ...(options.workflowBundlePath === undefined
      ? { workflowsPath }
      : { workflowBundle: { codePath: options.workflowBundlePath } }),
    // Document preparation is CPU-bound sharp work: more than a few at once adds memory, not
    // throughput (bench/registration: 4 gives the same rate as 20 with ~40 % less peak RSS).
    maxConcurrentActivityTaskExecutions: 4,
    stickyQueueScheduleToStartTimeout,
    ...options.tuning,
  });
  return running(worker, connection);
}

export interface BridgeWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  dependencies: BridgeDependencies;
  polling: PollingDependencies;
  workflowBundlePath?: string;
}

/** The WhatsApp ↔ Chatwoot bridge's worker: chat workflows on their own task queue, so registration load never delays messages. */
export async function startBridgeWorker(options: BridgeWorkerOptions): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: { ...createBridgeActivities(options.dependencies), ...createPollingActivities(options.polling) },
    ...(options.workflowBundlePath === undefined ? { workflowsPath } : { workflowBundle: { codePath: options.workflowBundlePath } }),
    maxConcurrentActivityTaskExecutions: 50,
    stickyQueueScheduleToStartTimeout,
  });
  return running(worker, connection);
}

/** Runs the worker until `stop()`, then closes its connection. */
function running(worker: Worker, connection: NativeConnection): RunningWorker {
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
