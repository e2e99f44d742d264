/**
 * The worker alone in its own process, as in production, so its memory and CPU can be read from
 * /proc: the registration worker, and the bridge's when Chatwoot is configured. Started by a bench
 * with the configuration in its environment.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../platform/config.ts';
import { startSystem } from '../../app/system.ts';
import type { ReadyMessage } from './child-messages.ts';
import { report, requiredEnv, runChild, stopWhenAsked, watchMemory } from './child-side.ts';
import { applyImageWorkSettings } from './image-work.ts';
import { workerTuningFromEnv } from './worker-tuning.ts';

runChild(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const imageWork = applyImageWorkSettings();
  const config = loadConfig(process.env);
  const system = await startSystem({
    config,
    databaseUrl: requiredEnv('DATABASE_URL'),
    temporalAddress: requiredEnv('TEMPORAL_ADDRESS'),
    workflowBundlePath: requiredEnv('BENCH_WORKFLOW_BUNDLE'),
    run: { api: false, worker: true },
    workerTuning: workerTuningFromEnv(process.env),
  });
  const logMemory = watchMemory();
  stopWhenAsked(async () => {
    logMemory();
    await system.stop();
  });
  report<ReadyMessage>({ type: 'ready', imageWork });
});
