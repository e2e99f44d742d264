/**
 * `npm start`: the whole system on its embedded defaults, with no configuration.
 * PostgreSQL (DATABASE_URL, else local, else embedded) → migrations → Temporal (TEMPORAL_ADDRESS,
 * else a dev server with its Web UI, or with TEMPORAL_MODE=server the Temporal server on that
 * PostgreSQL, databases temporal and temporal_visibility) → WPPConnect (WPPCONNECT_URL, else the simulator as a
 * sandbox) → Chatwoot (CHATWOOT_URL, else the simulator, so the bridge runs) → Typebot (TYPEBOT_URL,
 * else, in the full sandbox, the simulator running docs/typebot-flows/) → worker and API → with
 * the simulators, the sandbox console and its web page. Ctrl-C stops everything it started, in reverse order.
 * A Temporal or PostgreSQL server started here that dies is started again (three times in ten
 * minutes at most); past that npm start stops, saying why, rather than serve without it.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../platform/config.ts';
import { findOrStartDatabase } from '../platform/database-server.ts';
import { migrate } from '../platform/migrate.ts';
import { startSystem } from '../app/system.ts';
import { startConfiguredTracing } from '../app/tracing.ts';
import { installTemporalRuntime } from '../app/temporal-runtime.ts';
import { startChatwootSimulator, type ChatwootSimulator } from '../test/simulators/chatwoot/index.ts';
import { startTypebotSimulator, type TypebotSimulator } from '../test/simulators/typebot/index.ts';
import { startWppConnectSimulator, type WppConnectSimulator } from '../test/simulators/wppconnect/index.ts';
import { registrationFlow } from '../test/support/typebot-flow.ts';
import { sandboxAccounts } from '../platform/console-accounts.ts';
import { forgetSimulatedChatwoot } from './lib/sandbox-reset.ts';
import { ensureFfmpeg } from './lib/ffmpeg.ts';
import { ensureTemporal, postgresTarget } from './lib/temporal-target.ts';
import { sandboxConsoleHelp, startSandboxConsole } from './sandbox-console.ts';
import { supervise } from './lib/supervise.ts';

const log = (line: string) => console.log(`[start] ${line}`);
const stops: Array<() => Promise<void>> = [];
/** A secret for this run only (sandbox keys and tokens). */
const newSecret = () => randomBytes(24).toString('base64url');

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // The worker's own INFO lines (bundle stats, state changes) drown the start-up summary.
  installTemporalRuntime({ logLevel: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN', sdkMetricsAddress: config.TEMPORAL_SDK_METRICS_ADDRESS });

  // The OTEL_* variables turn it on (README, "Tracing"); stopped last, after everything it traced.
  const tracing = await startConfiguredTracing(config, 'leguas');
  if (tracing !== undefined) {
    stops.push(() => tracing.shutdown());
    log('Tracing on (OTEL_* variables)');
  }

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
  // The Web UI decodes the encrypted payloads through the API's codec endpoint, with an operator's token in its path.
  if (config.OPERATOR_TOKENS.size === 0) {
    const token = newSecret();
    config.OPERATOR_TOKENS.set(token, 'sandbox-operator');
    log(`No OPERATOR_TOKENS set: an operator token for this run only is  Authorization: Bearer ${token}`);
  }
  const [operatorToken] = config.OPERATOR_TOKENS.keys();
  const onPostgres = reachable === undefined && config.TEMPORAL_MODE === 'server';
  const temporal = await ensureTemporal({
    ...(reachable === undefined ? {} : { address: reachable }),
    // Its databases are kept, beside the application's, from one start to the next.
    ...(onPostgres ? { server: { postgres: postgresTarget(database.adminUrl), databases: { temporal: 'temporal', visibility: 'temporal_visibility' }, dir: path.join(config.DATA_DIR, 'temporal-server') } } : {}),
    namespace: config.TEMPORAL_NAMESPACE,
    dbFile: path.join(config.DATA_DIR, 'temporal', 'temporal.db'),
    logFile: path.join(config.DATA_DIR, 'temporal', 'server.log'),
    port: 7233,
    uiPort: 8233,
    uiCodecEndpoint: `http://localhost:${config.PORT}/codec/${operatorToken!}`,
    log,
  });
  if (temporal.started !== undefined) stops.push(() => temporal.started!.stop());
  if (temporal.started === undefined) log(`Using the Temporal server already running at ${temporal.address} (left running on exit)`);
  // The dev server's database is a file of ours: the backups take it too (README, "Backups and restore").
  else if (!onPostgres) config.BACKUP_TEMPORAL_SQLITE ??= path.join(config.DATA_DIR, 'temporal', 'temporal.db');
  else log('Temporal server on PostgreSQL (databases temporal, temporal_visibility): no Web UI here, back its databases up with pg_dump (README, "Temporal on PostgreSQL")');

  const wppSimulator = config.WPPCONNECT_URL === undefined ? await simulateWhatsApp(config) : undefined;
  const chatwootSimulator = config.CHATWOOT_URL === undefined ? await simulateChatwoot(config) : undefined;
  // The bot only runs with the bridge; against real systems without TYPEBOT_URL there is no bot.
  const typebotSimulator = config.TYPEBOT_URL === undefined && wppSimulator !== undefined && chatwootSimulator !== undefined
    ? await simulateTypebot(config)
    : undefined;

  // Agents' recordings become voice notes WhatsApp plays with ffmpeg: found, or Debian's installed (as root), as the tests do.
  if (config.CHATWOOT_URL !== undefined || chatwootSimulator !== undefined) {
    const ffmpeg = await ensureFfmpeg(log);
    if (ffmpeg.path !== undefined) config.FFMPEG_PATH = ffmpeg.path;
    else log(`${ffmpeg.reason}: agents' recordings go to WhatsApp as they came, and may not play there as voice notes`);
  }

  if (config.REVIEWER_TOKENS.size === 0) {
    const token = newSecret();
    config.REVIEWER_TOKENS.set(token, 'sandbox');
    log(`No REVIEWER_TOKENS set: a token for this run only is  Authorization: Bearer ${token}`);
  }

  // The console's links to a registration's workflow go to this run's Web UI.
  if (config.TEMPORAL_UI_URL === undefined && temporal.uiUrl !== undefined) config.TEMPORAL_UI_URL = temporal.uiUrl;
  const system = await startSystem({ config, databaseUrl, temporalAddress: temporal.address, run: { api: true, worker: true }, ...(tracing === undefined ? {} : { tracing }) });
  stops.push(() => system.stop());
  if (chatwootSimulator !== undefined) {
    const forgotten = await forgetSimulatedChatwoot(system.db, system.temporal, config.BRIDGE_TASK_QUEUE);
    if (forgotten.chats + forgotten.relays > 0) log(`Forgot the previous sandbox Chatwoot: ${forgotten.chats} chat workflow(s) ended, ${forgotten.relays} relay record(s) removed`);
  }
  // The simulators' webhooks go to the API, which only now has its address.
  wppSimulator?.setWebhookUrl(`${system.apiUrl}/webhooks/wppconnect/${config.WPPCONNECT_WEBHOOK_TOKEN}`);
  chatwootSimulator?.setWebhookUrl(`${system.apiUrl}/webhooks/chatwoot${config.CHATWOOT_WEBHOOK_TOKEN === undefined ? '' : `/${config.CHATWOOT_WEBHOOK_TOKEN}`}`);
  // As an operator edits the imported flow: the intake's URL, and its secret when INTAKE_SHARED_SECRET is set.
  typebotSimulator?.setFlow(await registrationFlow(`http://localhost:${new URL(system.apiUrl!).port}/drivers/register-typebot/`, config.INTAKE_SHARED_SECRET));

  log(`API:             ${system.apiUrl}  (Typebot posts to ${system.apiUrl}/drivers/register-typebot/)`);
  log(`Temporal:        ${temporal.address} namespace ${temporal.namespace}`);
  if (temporal.uiUrl !== undefined) log(`Temporal Web UI: ${temporal.uiUrl}`);
  log(`Reviewer console: ${system.apiUrl}/console`);
  if (wppSimulator !== undefined && chatwootSimulator !== undefined) {
    // The sandbox's console accounts, with passwords for this run only (never against real systems: npm run accounts).
    for (const account of await sandboxAccounts(system.db)) log(`  sign in as ${account.name} (${account.role === 'operator' ? 'operator' : 'reviewer'}), password for this run: ${account.password}`);
    const sandbox = await startSandboxConsole({
      wpp: wppSimulator,
      chatwoot: chatwootSimulator,
      port: 8090,
      links: { console: `${system.apiUrl!}/console`, ...(temporal.uiUrl === undefined ? {} : { temporalUi: temporal.uiUrl }) },
    });
    stops.push(() => sandbox.close());
    for (const line of sandboxConsoleHelp(sandbox.url)) log(line);
  }
  // Restarted when they die; npm start stops, saying why, when they keep dying.
  const watched = { log, stopping: () => stopping, giveUp: (message: string) => {
    console.error(`[start] ${message}`);
    void shutdown(1);
  } };
  if (temporal.started !== undefined) {
    const started = temporal.started;
    supervise({ name: `The Temporal ${started.kind}`, died: () => started.exited, restart: () => started.restart() }, watched);
  }
  if (database.watch !== undefined) supervise({ name: 'The embedded PostgreSQL', ...database.watch }, watched);
  log('Ctrl-C stops everything started here.');
}

/** The WPPConnect simulator as WhatsApp, with keys for this run; its webhook is set once the API listens. */
async function simulateWhatsApp(config: Config): Promise<WppConnectSimulator> {
  const secretKey = newSecret();
  const simulator = await startWppConnectSimulator({ port: 21465, secretKey, session: config.WPPCONNECT_SESSION });
  stops.push(() => simulator.close());
  config.WPPCONNECT_URL = simulator.url;
  config.WPPCONNECT_SECRET_KEY = secretKey;
  config.WPPCONNECT_WEBHOOK_TOKEN ??= newSecret();
  log(`WPPConnect simulator (sandbox, no real WhatsApp): ${simulator.url}`);
  log(`  its token:      curl -X POST ${simulator.url}/api/${simulator.session}/${secretKey}/generate-token`);
  log(`  what was sent:  curl -H "Authorization: Bearer <token>" ${simulator.url}/api/${simulator.session}/get-messages/<phone digits>@c.us`);
  return simulator;
}

/** The Chatwoot simulator as the agents' inbox, so the bridge runs; its webhook is set once the API listens. */
async function simulateChatwoot(config: Config): Promise<ChatwootSimulator> {
  const simulator = await startChatwootSimulator({ port: 3000, apiToken: newSecret(), webhookSecret: newSecret() });
  stops.push(() => simulator.close());
  config.CHATWOOT_URL = simulator.url;
  config.CHATWOOT_ACCOUNT_ID = simulator.accountId;
  config.CHATWOOT_INBOX_ID = simulator.inboxId;
  config.CHATWOOT_API_TOKEN = simulator.apiToken;
  config.CHATWOOT_WEBHOOK_SECRET = simulator.webhookSecret;
  log(`Chatwoot simulator (sandbox, no real inbox): ${simulator.url}  account ${simulator.accountId}, API inbox ${simulator.inboxId}`);
  log(`  a conversation: curl -H "api_access_token: ${simulator.apiToken}" ${simulator.url}/api/v1/accounts/${simulator.accountId}/conversations/<id>/messages`);
  return simulator;
}

/**
 * The Typebot simulator running the registration flow, pointed at this API once it listens (as an
 * operator edits the imported flow); the intake may fetch the files drivers upload to it.
 */
async function simulateTypebot(config: Config): Promise<TypebotSimulator> {
  const simulator = await startTypebotSimulator({ flow: await registrationFlow(), port: 8081, developmentMode: true });
  stops.push(() => simulator.close());
  config.TYPEBOT_URL = simulator.url;
  config.TYPEBOT_PUBLIC_ID = simulator.publicId;
  config.DOCUMENT_URL_ALLOWED_HOSTS = [...config.DOCUMENT_URL_ALLOWED_HOSTS, new URL(simulator.url).hostname];
  log(`Typebot simulator (sandbox) running docs/typebot-flows/cadastro-motorista.json: ${simulator.url}`);
  return simulator;
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
