/**
 * The API alone in its own process, for tests that kill it (SIGKILL) mid-request and start another.
 * The configuration comes in its environment; it sends its URL over IPC once listening.
 */
import { loadConfig } from '../../platform/config.ts';
import { startSystem } from '../../app/system.ts';
import { testEnvironment } from './test-system.ts';

const shared = testEnvironment();
const system = await startSystem({
  config: loadConfig(process.env),
  databaseUrl: shared.databaseUrl,
  temporalAddress: shared.temporalAddress,
  run: { api: true, worker: false },
});
process.send?.({ apiUrl: system.apiUrl });
process.once('SIGTERM', () => void system.stop().then(() => process.exit(0)));
