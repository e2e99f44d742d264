/**
 * The HTTP API alone in its own process, as in production. The benches keep it apart so the load
 * generator (building bodies, the HTTP client, simulators, polling PostgreSQL) does not share its event loop.
 */
import { loadConfig } from '../../platform/config.ts';
import { startSystem } from '../../app/system.ts';
import type { ReadyMessage } from './child-messages.ts';
import { report, requiredEnv, runChild, stopWhenAsked } from './child-side.ts';
import { applyImageWorkSettings } from './image-work.ts';

runChild(async () => {
  const imageWork = applyImageWorkSettings();
  const config = loadConfig(process.env);
  const system = await startSystem({
    config,
    databaseUrl: requiredEnv('DATABASE_URL'),
    temporalAddress: requiredEnv('TEMPORAL_ADDRESS'),
    run: { api: true, worker: false },
  });
  stopWhenAsked(() => system.stop());
  report<ReadyMessage>({ type: 'ready', ...(system.apiUrl === undefined ? {} : { apiUrl: system.apiUrl }), imageWork });
});
