import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createBotActivities } from '../activities/bridge/bot.ts';
import { createBridgeActivities, type BridgeDependencies } from '../activities/bridge/index.ts';
import type { TypebotClient } from '../activities/clients/typebot-client.ts';
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
  return startWorker(options, {
    activities: createActivities(options.dependencies),
    // Document preparation is CPU-bound sharp work: more than a few at once adds memory, not
    // throughput (bench/registration: 4 gives the same rate as 20 with ~40 % less peak RSS).
    maxConcurrentActivityTaskExecutions: 4,
    stickyQueueScheduleToStartTimeout,
    ...options.tuning,
  });
}

export interface BridgeWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  dependencies: BridgeDependencies;
  polling: PollingDependencies;
  /** The registration bot, when Typebot is configured. */
  bot?: { typebot: TypebotClient; publicId: string } | undefined;
  workflowBundlePath?: string;
}

/** The bridge worker's options beyond its task queue and code (bench/bridge runs its engine ceiling with the same). */
export const bridgeWorkerTuning = {
  maxConcurrentActivityTaskExecutions: 50,
  // A new chat's first workflow task comes on the normal queue, a busy chat's on the sticky one: with
  // the SDK's 0.2, bursts of new chats waited seconds behind busy ones (bench/bridge: p99 of first
  // messages 2.5 s at half the ceiling, 0.28 s with 1).
  nonStickyToStickyPollRatio: 1,
  stickyQueueScheduleToStartTimeout,
} satisfies Partial<WorkerOptions>;

/** The WhatsApp ↔ Chatwoot bridge's worker: chat workflows on their own task queue, so registration load never delays messages. */
export async function startBridgeWorker(options: BridgeWorkerOptions): Promise<RunningWorker> {
  return startWorker(options, {
    activities: {
      ...createBridgeActivities(options.dependencies),
      ...createPollingActivities(options.polling),
      ...(options.bot === undefined ? {} : createBotActivities({ ...options.dependencies, ...options.bot })),
    },
    ...bridgeWorkerTuning,
  });
}

/** A worker on its own connection, with the project's workflows (a pre-built bundle when given). */
async function startWorker(
  where: { address: string; namespace: string; taskQueue: string; workflowBundlePath?: string | undefined },
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'workflowsPath' | 'workflowBundle'>,
): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: where.address });
  const worker = await Worker.create({
    connection,
    namespace: where.namespace,
    taskQueue: where.taskQueue,
    ...(where.workflowBundlePath === undefined ? { workflowsPath } : { workflowBundle: { codePath: where.workflowBundlePath } }),
    ...options,
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
