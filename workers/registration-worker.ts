import type { WorkerOptions } from '@temporalio/worker';
import type { RegistrationDependencies } from '../activities/registration/dependencies.ts';
import { createRegistrationActivities } from '../activities/registration/index.ts';
import { startWorker, stickyQueueScheduleToStartTimeout, type RunningWorker, type WorkerPlace } from './start-worker.ts';

export type RegisteredWorkerTuning = Pick<
  WorkerOptions,
  'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'
>;

export interface RegistrationWorkerOptions extends WorkerPlace {
  dependencies: RegistrationDependencies;
  tuning?: RegisteredWorkerTuning;
}

/** The driverRegistration workflows and their activities, on the registration task queue, until `stop()`. */
export async function startRegistrationWorker(options: RegistrationWorkerOptions): Promise<RunningWorker> {
  return startWorker(options, {
    activities: createRegistrationActivities(options.dependencies),
    // Document preparation is CPU-bound sharp work: more than a few at once adds memory, not
    // throughput (bench/registration: 4 gives the same rate as 20 with ~40 % less peak RSS).
    maxConcurrentActivityTaskExecutions: 4,
    stickyQueueScheduleToStartTimeout,
    ...options.tuning,
  });
}
