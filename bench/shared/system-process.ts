/**
 * One part of the system alone in its own process, as in production: the HTTP API, or the worker
 * (the registration worker, and the bridge's when Chatwoot is configured), chosen by
 * BENCH_SYSTEM_PART. Apart from the bench, the load generator (building bodies, the HTTP client,
 * simulators, polling PostgreSQL) does not share their event loop, and /proc describes each alone.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSystem } from '../../app/system.ts';
import { loadConfig } from '../../platform/config.ts';
import type { ReadyMessage } from './child-messages.ts';
import { report, requiredEnv, runChild, stopWhenAsked, watchMemory } from './child-side.ts';
import { applyImageWorkSettings } from './image-work.ts';
import { workerTuningFromEnv } from './worker-tuning.ts';

runChild(async () => {
  const worker = requiredEnv('BENCH_SYSTEM_PART') === 'worker';
  if (worker) Runtime.install({ logger: new DefaultLogger('WARN') });
  const imageWork = applyImageWorkSettings();
  const system = await startSystem({
    config: loadConfig(process.env),
    databaseUrl: requiredEnv('DATABASE_URL'),
    temporalAddress: requiredEnv('TEMPORAL_ADDRESS'),
    run: { api: !worker, worker },
    ...(worker ? { workflowBundlePath: requiredEnv('BENCH_WORKFLOW_BUNDLE'), workerTuning: workerTuningFromEnv(process.env) } : {}),
  });
  const logMemory = worker ? watchMemory() : undefined;
  stopWhenAsked(async () => {
    logMemory?.();
    await system.stop();
  });
  report<ReadyMessage>({ type: 'ready', ...(system.apiUrl === undefined ? {} : { apiUrl: system.apiUrl }), imageWork });
});
