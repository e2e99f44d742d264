/**
 * The registration worker alone in its own process, as in production, so its memory can be
 * read from /proc. Started by the bench with the configuration in its environment.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../platform/config.ts';
import { startSystem } from '../../platform/system.ts';
import { loadBenchSettings } from './bench-settings.ts';
import { applyImageWorkSettings, report, requiredEnv, runChild, stopWhenAsked, watchMemory } from './child-side.ts';

runChild(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const imageWork = applyImageWorkSettings();
  const config = loadConfig(process.env);
  const settings = loadBenchSettings(process.env);
  const system = await startSystem({
    config,
    databaseUrl: requiredEnv('DATABASE_URL'),
    temporalAddress: requiredEnv('TEMPORAL_ADDRESS'),
    workflowBundlePath: requiredEnv('BENCH_WORKFLOW_BUNDLE'),
    run: { api: false, worker: true },
    workerTuning: {
      ...(settings.BENCH_MAX_ACTIVITY_TASKS === undefined ? {} : { maxConcurrentActivityTaskExecutions: settings.BENCH_MAX_ACTIVITY_TASKS }),
      ...(settings.BENCH_MAX_WORKFLOW_TASKS === undefined ? {} : { maxConcurrentWorkflowTaskExecutions: settings.BENCH_MAX_WORKFLOW_TASKS }),
      ...(settings.BENCH_MAX_CACHED_WORKFLOWS === undefined ? {} : { maxCachedWorkflows: settings.BENCH_MAX_CACHED_WORKFLOWS }),
    },
  });
  const logMemory = watchMemory();
  stopWhenAsked(async () => {
    logMemory();
    await system.stop();
  });
  report({ type: 'ready', imageWork });
});
