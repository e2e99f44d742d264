import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before } from 'node:test';
import { loadConfig, type Config } from '../../platform/config.ts';
import { loadKeyring } from '../../platform/crypto/load-keyring.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import type { Db } from '../../platform/db.ts';
import { loadPersonalData } from '../../platform/stores/data-keys.ts';
import { startSystem, type RunningSystem } from '../../app/system.ts';
import type { Tracing } from '../../platform/tracing/tracing.ts';
import { installTemporalRuntime } from '../../app/temporal-runtime.ts';
import { freePort } from './free-port.ts';
import { startChatwootSimulator, type ChatwootSimulator } from '../simulators/chatwoot/index.ts';
import { startTypebotSimulator, type TypebotSimulator, type TypebotSimulatorOptions } from '../simulators/typebot/index.ts';
import { registrationFlow } from './typebot-flow.ts';
import { startWppConnectSimulator, type WppConnectSimulator } from '../simulators/wppconnect/index.ts';

export { eventually } from './eventually.ts';

/** Where this test process's Temporal SDK serves its worker metrics, as production's TEMPORAL_SDK_METRICS_ADDRESS does. */
export const temporalSdkMetricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
// Worker state changes are noise in test output; warnings and errors still show.
installTemporalRuntime({ logLevel: 'WARN', sdkMetricsAddress: new URL(temporalSdkMetricsUrl).host });

/** The shared resources `scripts/test.ts` set up for this run. */
export function testEnvironment() {
  const { TEST_TEMPORAL_ADDRESS, TEST_DATABASE_URL, TEST_WORKFLOW_BUNDLE, TEST_SCRATCH_DIR } = process.env;
  if (!TEST_TEMPORAL_ADDRESS || !TEST_DATABASE_URL || !TEST_WORKFLOW_BUNDLE || !TEST_SCRATCH_DIR) {
    throw new Error('Run tests through `npm test` (scripts/test.ts), which starts Temporal and prepares the database.');
  }
  return { temporalAddress: TEST_TEMPORAL_ADDRESS, databaseUrl: TEST_DATABASE_URL, bundlePath: TEST_WORKFLOW_BUNDLE, scratchDir: TEST_SCRATCH_DIR };
}

export interface TestSystem {
  system: RunningSystem;
  config: Config;
  wpp: WppConnectSimulator;
  /** Present when started with `{ bridge: true }`. */
  chatwoot: ChatwootSimulator | undefined;
  /** Present when started with `{ typebot: true }`: runs docs/typebot-flows/cadastro-motorista.json. */
  typebot: TypebotSimulator | undefined;
  /** The environment the configuration was loaded from (for child processes). */
  env: Record<string, string>;
  /** The Temporal server and database this system runs on (the run's shared ones unless the options named others). */
  temporalAddress: string;
  databaseUrl: string;
  reviewerToken: string;
  storageDir: string;
  /** JSON request to the API; returns status and parsed body. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Same, as a reviewer. */
  asReviewer(method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Files currently in document storage (relative paths). */
  storedFiles(): Promise<string[]>;
  /** Workflows started on this system's own (registration) task queue, or on `queue`. */
  workflowCount(queue?: string): Promise<number>;
  stop(): Promise<void>;
}

export interface TestSystemOptions {
  bridge?: boolean;
  worker?: boolean;
  typebot?: boolean | Partial<TypebotSimulatorOptions>;
  /** WhatsApp's clock in the WPPConnect simulator (the messages' timestamps); default the real one. */
  whatsappClock?: () => Date;
  /** Runs right after an intake commits; throwing plays an API crash before the hand-off (see `AppDependencies`). */
  afterIntakeCommit?: (registrationId: string) => Promise<void>;
  /** Where the API's request log goes (with LOG_LEVEL set in `env`); tests capture it to check what is never logged. */
  logStream?: NodeJS.WritableStream;
  /** false: no API in this process (a test runs it as a child process and points the simulators at it). Default true. */
  api?: boolean;
  /** Another Temporal server than the run's shared dev server (the fault matrix's own, on PostgreSQL). */
  temporalAddress?: string;
  /** Another database than the run's shared one (migrated). */
  databaseUrl?: string;
  /** Temporal payloads under the master keys alone (recording histories, which replay without a database). */
  payloadsUnderMasterKeysOnly?: boolean;
  /** Tracing started by the test (with an in-memory exporter), handed to the system as an entry point hands it. */
  tracing?: Tracing;
  /** Another workflow bundle than the run's shared one (a traced worker's, with the tracing interceptors in it). */
  workflowBundlePath?: string;
}

/** The whole system (API + worker) on a task queue of its own, against a fresh WPPConnect simulator. */
export async function startTestSystem(env: Record<string, string> = {}, options: TestSystemOptions = {}): Promise<TestSystem> {
  const shared = testEnvironment();
  const wpp = await startWppConnectSimulator({ secretKey: `test-only-${randomUUID()}`, session: 'test', ...(options.whatsappClock === undefined ? {} : { now: options.whatsappClock }) });
  const storageDir = await mkdtemp(path.join(shared.scratchDir, 'documents-'));
  const reviewerToken = `test-reviewer-${randomUUID()}`;
  const chatwoot = options.bridge === true ? await startChatwootSimulator() : undefined;
  // The flow posts to the API, which listens on a loopback address: what Typebot allows in development mode.
  const typebot = options.typebot === undefined || options.typebot === false
    ? undefined
    : await startTypebotSimulator({ flow: await registrationFlow(), developmentMode: true, ...(options.typebot === true ? {} : options.typebot) });
  const typebotEnv: Record<string, string> = typebot === undefined ? {} : {
    TYPEBOT_URL: typebot.url,
    TYPEBOT_PUBLIC_ID: typebot.publicId,
    DOCUMENT_URL_ALLOWED_HOSTS: new URL(typebot.url).hostname,
  };
  const webhookToken = `test-webhook-${randomUUID()}`;
  const bridgeEnv: Record<string, string> = chatwoot === undefined ? {} : {
    CHATWOOT_URL: chatwoot.url,
    CHATWOOT_ACCOUNT_ID: String(chatwoot.accountId),
    CHATWOOT_INBOX_ID: String(chatwoot.inboxId),
    CHATWOOT_API_TOKEN: chatwoot.apiToken,
    CHATWOOT_WEBHOOK_SECRET: chatwoot.webhookSecret,
    WPPCONNECT_WEBHOOK_TOKEN: webhookToken,
    BRIDGE_TASK_QUEUE: `test-bridge-${randomUUID()}`,
    // A chat's first bridging imports its history: only the history tests turn it on (their chats have one).
    BRIDGE_HISTORY_IMPORT_DAYS: '0',
  };
  const configEnv: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    DOCUMENT_STORAGE_DIR: storageDir,
    REVIEWER_TOKENS: `ana:${reviewerToken}`,
    WPPCONNECT_URL: wpp.url,
    WPPCONNECT_SESSION: wpp.session,
    WPPCONNECT_SECRET_KEY: wpp.secretKey,
    WPPCONNECT_TIMEOUT: '3s',
    // The schedule scans the shared database: only the self-repair tests turn it on (and delete it after).
    SELF_REPAIR_SCHEDULE: 'false',
    WHATSAPP_HEALTH_SCHEDULE: 'false',
    // Retention deletes what is past its period in the whole database: only its own test, on a database of its own, runs it.
    RETENTION_SCHEDULE: 'false',
    // The backup schedule dumps the whole database: its own test, on a database of its own, runs backups.
    BACKUP_SCHEDULE: 'false',
    // Tests call every route many times a minute from one address, unauthenticated: the edge's
    // production limits are tested on their own (test/security/edge.test.ts) with these set low.
    RATE_LIMIT_PER_ADDRESS: '100000',
    RATE_LIMIT_INTAKE_PER_NIF: '1000',
    RATE_LIMIT_INTAKE_PER_PHONE: '1000',
    RATE_LIMIT_ANSWER_CHECKS: '100000',
    ...bridgeEnv,
    ...typebotEnv,
    ...env,
  };
  const config = loadConfig(configEnv);
  const temporalAddress = options.temporalAddress ?? shared.temporalAddress;
  const databaseUrl = options.databaseUrl ?? shared.databaseUrl;
  const system = await startSystem({
    config,
    databaseUrl,
    temporalAddress,
    workflowBundlePath: options.workflowBundlePath ?? shared.bundlePath,
    run: { api: options.api ?? true, worker: options.worker ?? true },
    ...(options.afterIntakeCommit === undefined ? {} : { afterIntakeCommit: options.afterIntakeCommit }),
    ...(options.logStream === undefined ? {} : { logStream: options.logStream }),
    ...(options.payloadsUnderMasterKeysOnly === undefined ? {} : { payloadsUnderMasterKeysOnly: options.payloadsUnderMasterKeysOnly }),
    ...(options.tracing === undefined ? {} : { tracing: options.tracing }),
  });

  // As an operator does after importing the registration flow: point its HTTP Request at this API.
  const ownFlow = typeof options.typebot === 'object' && options.typebot.flow !== undefined;
  if (!ownFlow && system.apiUrl !== undefined) typebot?.setFlow(await registrationFlow(`http://localhost:${new URL(system.apiUrl).port}/drivers/register-typebot/`, config.INTAKE_SHARED_SECRET));
  if (chatwoot !== undefined && system.apiUrl !== undefined) {
    wpp.setWebhookUrl(`${system.apiUrl}/webhooks/wppconnect/${config.WPPCONNECT_WEBHOOK_TOKEN}`);
    // With signatures off, Chatwoot posts to the URL that carries CHATWOOT_WEBHOOK_TOKEN.
    chatwoot.setWebhookUrl(`${system.apiUrl}/webhooks/chatwoot${config.CHATWOOT_WEBHOOK_TOKEN === undefined ? '' : `/${config.CHATWOOT_WEBHOOK_TOKEN}`}`);
  }

  const call: TestSystem['call'] = async (method, url, body, headers = {}) => {
    const response = await fetch(`${system.apiUrl}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };

  return {
    system,
    config,
    wpp,
    chatwoot,
    typebot,
    env: configEnv,
    temporalAddress,
    databaseUrl,
    reviewerToken,
    storageDir,
    call,
    asReviewer: (method, url, body) => call(method, url, body, { authorization: `Bearer ${reviewerToken}` }),
    storedFiles: async () => (await readdir(storageDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name)),
    workflowCount: async (queue = config.TEMPORAL_TASK_QUEUE) => (await system.temporal.workflow.count(`TaskQueue = "${queue}"`)).count,
    async stop() {
      await system.stop();
      await wpp.close();
      await chatwoot?.close();
      await typebot?.close();
    },
  };
}

/**
 * One test system for the tests of a `describe`: started in its `before`, stopped in its `after`.
 * Returns an accessor to call inside the tests (and in hooks registered after this one). `options`
 * may be a function, called in `before`, when it needs what earlier hooks set up. `started` runs
 * right after the start (a child worker, a console on top), `stopping` right before the stop.
 */
export function useTestSystem(
  env: Record<string, string> = {},
  options: TestSystemOptions | (() => TestSystemOptions) = {},
  hooks: { started?: (sut: TestSystem) => Promise<void>; stopping?: (sut: TestSystem) => Promise<void> } = {},
): () => TestSystem {
  let sut: TestSystem | undefined;
  before(async () => {
    sut = await startTestSystem(env, typeof options === 'function' ? options() : options);
    await hooks.started?.(sut);
  });
  after(async () => {
    if (sut === undefined) return;
    const stopping = sut;
    sut = undefined;
    try {
      await hooks.stopping?.(stopping);
    } finally {
      await stopping.stop();
    }
  });
  return () => {
    if (sut === undefined) throw new Error('The test system runs between the before and after hooks of the describe that set it up');
    return sut;
  };
}

/** A test system of its own for one test (or part of one), stopped however `run` ends. */
export async function withTestSystem<T>(env: Record<string, string>, options: TestSystemOptions, run: (sut: TestSystem) => Promise<T>): Promise<T> {
  const sut = await startTestSystem(env, options);
  try {
    return await run(sut);
  } finally {
    await sut.stop();
  }
}

export const uniqueSuffix = () => randomBytes(4).toString('hex');

/** Diagnostics for a chat that did not do what a test expected: its signals, claims and state. */
export async function describeChat(sut: TestSystem, chatId: string): Promise<string> {
  const { chatWorkflowId } = await import('../../domain/chat.ts');
  const handle = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatId));
  const history = await handle.fetchHistory();
  const signals = (history.events ?? [])
    .filter((event) => event.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data)
    .map((event) => Buffer.from(event.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!.data!).toString('utf8').slice(0, 400));
  const chatKey = sut.system.personal.index('chat', chatId);
  const claims = await sut.system.db.query('SELECT direction, whatsapp_message_id, chatwoot_message_id, part, status FROM bridge_messages WHERE chat_id = $1', [chatKey]);
  const deliveries = await sut.system.db.query('SELECT status, chatwoot_message_id FROM whatsapp_deliveries WHERE chat_id = $1', [chatKey]);
  const failures = (history.events ?? []).flatMap((event) => event.activityTaskFailedEventAttributes?.failure?.message ?? []);
  return JSON.stringify({ status: (await handle.describe()).status.name, signals, claims: claims.rows, deliveries: deliveries.rows, failures }, null, 1);
}

/**
 * The personal-data keys of the run's shared database as the test systems have them (the
 * development master key under DATA_DIR, the index key made by the first system to start): for a
 * test that calls the stores on that database itself.
 */
export async function sharedPersonalData(db: Db): Promise<PersonalData> {
  return loadPersonalData(db, await loadKeyring({ MASTER_KEYS: process.env.MASTER_KEYS, DATA_DIR: process.env.DATA_DIR ?? 'data' }, () => undefined));
}
