/** Registration-worker tuning from the environment; unset keys keep the project's defaults. */
import { z } from 'zod';
import type { RegisteredWorkerTuning } from '../../workers/registration-worker.ts';
import { optionalCount, parseSettings } from './settings.ts';

export const workerTuningShape = {
  BENCH_MAX_ACTIVITY_TASKS: optionalCount,
  BENCH_MAX_WORKFLOW_TASKS: optionalCount,
  BENCH_MAX_CACHED_WORKFLOWS: optionalCount,
};

export function workerTuningFromEnv(env: Record<string, string | undefined>): RegisteredWorkerTuning {
  const settings = parseSettings(z.object(workerTuningShape), env);
  return {
    ...(settings.BENCH_MAX_ACTIVITY_TASKS === undefined ? {} : { maxConcurrentActivityTaskExecutions: settings.BENCH_MAX_ACTIVITY_TASKS }),
    ...(settings.BENCH_MAX_WORKFLOW_TASKS === undefined ? {} : { maxConcurrentWorkflowTaskExecutions: settings.BENCH_MAX_WORKFLOW_TASKS }),
    ...(settings.BENCH_MAX_CACHED_WORKFLOWS === undefined ? {} : { maxCachedWorkflows: settings.BENCH_MAX_CACHED_WORKFLOWS }),
  };
}
