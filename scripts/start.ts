/**
 * `npm start`: the whole system on its embedded defaults, with no configuration.
 * PostgreSQL (DATABASE_URL, else local, else embedded) → migrations → Temporal (TEMPORAL_ADDRESS,
 * else a dev server with its Web UI) → WPPConnect (WPPCONNECT_URL, else the simulator as a
 * sandbox) → worker and API. Ctrl-C stops everything it started, in reverse order.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { findOrStartDatabase } from '../platform/database-server.ts';
import { migrate } from '../platform/migrate.ts';
import { startSystem } from '../platform/system.ts';
import { startWppConnectSimulator } from '../test/simulators/wppconnect/index.ts';
import { ensureTemporal } from './lib/temporal-dev-server.ts';

const log = (line: string) => console.log(`[start] ${line}`);
const stops: Array<() => Promise<void>> = [];

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // The worker's own INFO lines (bundle stats, state changes) drown the start-up summary.
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN') });

  const database = await findOrStartDatabase({ configuredUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, log });
  stops.push(() => database.stop());
  const databaseUrl = config.DATABASE_URL ?? database.url('leguas_franzinas');
  const applied = await migrate(databaseUrl, log);
  log(`PostgreSQL (${database.origin}) ready; ${applied.length} migration(s) applied`);

  // TEMPORAL_ADDRESS, else a server already answering on the default port, else a dev server of our own.
  const localTemporal = '127.0.0.1:7233';
  const reachable = config.TEMPORAL_ADDRESS ?? (await ensureTemporal({ address: localTemporal, namespace: config.TEMPORAL_NAMESPACE, connectTimeoutMs: 1500 }).then(
    () => localTemporal,
    () => undefined,
  ));
  const temporal = await ensureTemporal({
    ...(reachable === undefined ? {} : { address: reachable }),
    namespace: config.TEMPORAL_NAMESPACE,
    dbFile: path.join(config.DATA_DIR, 'temporal', 'temporal.db'),
    logFile: path.join(config.DATA_DIR, 'temporal', 'server.log'),
    port: 7233,
    uiPort: 8233,
    log,
  });
  if (temporal.started !== undefined) stops.push(() => temporal.started!.stop());
  else log(`Using the Temporal server already running at ${temporal.address} (left running on exit)`);

  if (config.WPPCONNECT_URL === undefined) {
    const secretKey = randomBytes(18).toString('base64url');
    const simulator = await startWppConnectSimulator({ port: 21465, secretKey, session: config.WPPCONNECT_SESSION });
    stops.push(() => simulator.close());
    config.WPPCONNECT_URL = simulator.url;
    config.WPPCONNECT_SECRET_KEY = secretKey;
    log(`WPPConnect simulator (sandbox, no real WhatsApp): ${simulator.url}`);
    log(`  its token:      curl -X POST ${simulator.url}/api/${simulator.session}/${secretKey}/generate-token`);
    log(`  what was sent:  curl -H "Authorization: Bearer <token>" ${simulator.url}/api/${simulator.session}/get-messages/<phone digits>@c.us`);
  }

  if (config.REVIEWER_TOKENS.size === 0) {
    const token = randomBytes(24).toString('base64url');
    config.REVIEWER_TOKENS.set(token, 'sandbox');
    log(`No REVIEWER_TOKENS set: a token for this run only is  Authorization: Bearer ${token}`);
  }

  const system = await startSystem({ config, databaseUrl, temporalAddress: temporal.address, run: { api: true, worker: true } });
  stops.push(() => system.stop());

  log(`API:             ${system.apiUrl}  (Typebot posts to ${system.apiUrl}/drivers/register-typebot/)`);
  log(`Temporal:        ${temporal.address} namespace ${temporal.namespace}`);
  if (temporal.uiUrl !== undefined) log(`Temporal Web UI: ${temporal.uiUrl}`);
  log('Ctrl-C stops everything started here.');
}

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error('[start] while stopping:', error));
  }
  process.exit(code);
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
main().catch(async (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  await shutdown(1);
});
