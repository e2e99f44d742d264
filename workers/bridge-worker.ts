import type { WorkerOptions } from '@temporalio/worker';
import { createBotActivities, type BotDependencies } from '../activities/bot/index.ts';
import type { BridgeDependencies } from '../activities/bridge/dependencies.ts';
import { createBridgeActivities } from '../activities/bridge/index.ts';
import { createHistoryImportActivities, type HistoryDependencies } from '../activities/bridge/history-import.ts';
import { createPollingActivities, type PollingDependencies } from '../activities/bridge/polling.ts';
import { startWorker, stickyQueueScheduleToStartTimeout, type RunningWorker, type WorkerPlace } from './start-worker.ts';

export interface BridgeWorkerOptions extends WorkerPlace {
  dependencies: BridgeDependencies;
  polling: PollingDependencies;
  /** The registration bot, when Typebot is configured. */
  bot?: Omit<BotDependencies, keyof BridgeDependencies> | undefined;
  /**
   * History imports: the pace, groups or not, and the task queue their activities run on, one at a
   * time per worker, so a long import never takes the relay's activity slots.
   */
  history: Omit<HistoryDependencies, keyof BridgeDependencies> & { taskQueue: string };
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

/**
 * The WhatsApp ↔ Chatwoot bridge's worker: chat and polling workflows with the relay, polling and
 * bot activities, on a task queue of their own, so registration load never delays a message.
 */
export async function startBridgeWorker(options: BridgeWorkerOptions): Promise<RunningWorker> {
  const { taskQueue: historyQueue, ...historyDependencies } = options.history;
  const history = await startWorker(
    { ...options, taskQueue: historyQueue },
    { activities: createHistoryImportActivities({ ...options.dependencies, ...historyDependencies }), maxConcurrentActivityTaskExecutions: 1 },
    { workflows: false },
  );
  const relay = await startWorker(options, {
    activities: {
      ...createBridgeActivities(options.dependencies),
      ...createPollingActivities(options.polling),
      ...(options.bot === undefined ? {} : createBotActivities({ ...options.dependencies, ...options.bot })),
    },
    ...bridgeWorkerTuning,
  }).catch(async (error: unknown) => {
    await history.stop();
    throw error;
  });
  return {
    worker: relay.worker,
    done: Promise.all([relay.done, history.done]).then(() => undefined),
    async stop() {
      await Promise.all([relay.stop(), history.stop()]);
    },
  };
}
