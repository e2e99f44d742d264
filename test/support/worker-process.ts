/**
 * A worker alone in its own process, for tests that kill it (SIGKILL) and start another. The
 * configuration comes in its environment; it says "ready" over IPC once polling.
 */
import { loadConfig } from '../../platform/config.ts';
import { startSystem } from '../../app/system.ts';
// (test-system.ts installs the Temporal runtime with its WARN logger on import.)
import { testEnvironment } from './test-system.ts';

const shared = testEnvironment();
const system = await startSystem({
  config: loadConfig(process.env),
  databaseUrl: shared.databaseUrl,
  temporalAddress: shared.temporalAddress,
  workflowBundlePath: shared.bundlePath,
  run: { api: false, worker: true },
});
process.send?.('ready');
process.once('SIGTERM', () => void system.stop().then(() => process.exit(0)));
