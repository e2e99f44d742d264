import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { createMissedMessages } from '../activities/bridge/polling.ts';
import { sendToWhatsAppOnce } from '../activities/delivery/whatsapp-once.ts';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createHistoryPace } from '../activities/bridge/history-import.ts';
import { createBridgeMetrics } from '../activities/bridge/metrics.ts';
import { createRegistrationMetrics, watchLatestBackup } from '../activities/registration/metrics.ts';
import { backupTimeOf } from '../domain/backup.ts';
import { chatHandOff, watchFullChats } from '../api/hand-offs/chat.ts';
import { handOffsSettled } from '../api/hand-offs/deadline.ts';
import { historyPlace, startHistoryImport } from '../api/hand-offs/history-import.ts';
import type { BotSettings } from '../domain/bot.ts';
import { createChatwootClient } from '../integrations/chatwoot/client.ts';
import { createTypebotClient } from '../integrations/typebot/client.ts';
import { createWppConnectClient } from '../integrations/wppconnect/client.ts';
import type { Config } from '../platform/config.ts';
import { createDb, type Db } from '../platform/db.ts';
import { createDocumentChecks, type DocumentChecks } from '../platform/documents/document-checks.ts';
import { yieldImageWork } from '../platform/documents/image-work-priority.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { systemDataConverter } from '../platform/crypto/data-converter.ts';
import { createEncryptedStorage } from '../platform/storage/encrypted-storage.ts';
import type { DocumentStorage } from '../platform/storage/document-storage.ts';
import { storageFromConfig } from '../platform/storage/storage-from-config.ts';
import { auditBrokenRead } from '../platform/stores/audit.ts';
import { createSubjectKeys, loadPersonalData } from '../platform/stores/data-keys.ts';
import { sealPlainRegistrations } from '../platform/stores/registrations.ts';
import { hashChatIds } from '../platform/stores/chat-ids.ts';
import type { PersonalData } from '../platform/crypto/personal-data.ts';
import type { Tracing } from '../platform/tracing/tracing.ts';
import type { RegisteredWorkerTuning } from '../workers/registration-worker.ts';
import type { RunningWorker } from '../workers/start-worker.ts';
import { pollingWorkflowId, whatsappPolling } from '../workflows/whatsapp-polling.ts';
import { ensureBackupSchedule, ensureRetentionSchedule, ensureSessionHealthSchedule } from './schedules.ts';
import { backupSourcesOf, backupTargetOf } from '../platform/backup/settings.ts';
import { phoneOfflineHint, sessionHealthScheduleId } from '../domain/whatsapp-session.ts';
import { getSessionHealth, recordPhoneOffline } from '../platform/stores/whatsapp-session.ts';
import { ensureSelfRepairSchedule } from './self-repair-schedule.ts';
import { createVoiceNotes } from '../platform/media/voice-notes.ts';

export interface SystemOptions {
  config: Config;
  databaseUrl: string;
  temporalAddress: string;
  /** Which parts run in this process (production runs them as separate processes). */
  run: { api: boolean; worker: boolean };
  workflowBundlePath?: string;
  workerTuning?: RegisteredWorkerTuning;
  fetch?: typeof fetch;
  /** Tests only: see `AppDependencies.afterIntakeCommit` (plays a crash between an intake's commit and its hand-off). */
  afterIntakeCommit?: (registrationId: string) => Promise<void>;
  /** Where the API's request log goes (default stdout). */
  logStream?: NodeJS.WritableStream;
  /**
   * Tests only: Temporal payloads sealed with the master keys alone, not the subjects' keys (the
   * recorder of workflow histories: their replay runs with the master keys and no database).
   */
  payloadsUnderMasterKeysOnly?: boolean;
  /**
   * Tracing, when the entry point started it (app/tracing.ts; README, "Tracing"): the Temporal client
   * carries the trace into workflows, the workers through them, the API names its spans and logs the
   * trace id. Stopped by whoever started it. Unset: off, nothing of it loaded.
   */
  tracing?: Tracing;
}

export interface RunningSystem {
  /** Base URL of the API when it runs here, e.g. http://127.0.0.1:8000 */
  apiUrl: string | undefined;
  app: FastifyInstance | undefined;
  worker: RunningWorker | undefined;
  /** The bridge's worker, when Chatwoot is configured. */
  bridgeWorker: RunningWorker | undefined;
  db: Db;
  /** The keys that open drivers' personal fields, and their blind indexes. */
  personal: PersonalData;
  /** How the system's Temporal payloads are encrypted and read (subjects' keys, master keys). */
  payloadCodec: PayloadCodec;
  /** Document storage as the system reads and writes it (encrypted at rest). */
  storage: DocumentStorage;
  temporal: Client;
  metrics: Registry;
  stop(): Promise<void>;
}

/** Builds the real clients from the configuration and starts the API and/or the worker. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { config } = options;
  if (config.WPPCONNECT_URL === undefined) throw new Error('WPPCONNECT_URL is required to run the system');
  const db = createDb(options.databaseUrl, {
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT,
  });
  const keyring = await loadKeyring(config, (line) => console.warn(`[storage] ${line}`));
  const personal = await loadPersonalData(db, keyring);
  const sealed = await sealPlainRegistrations(db, personal);
  if (sealed > 0) console.warn(`[storage] ${sealed} registration(s) written before their fields were encrypted: encrypted now`);
  const hashed = await hashChatIds(db, personal);
  if (hashed.deliveries + hashed.relays + hashed.sessions + hashed.turnsDropped > 0) {
    console.warn(`[storage] chat ids written before they were hashed: ${JSON.stringify(hashed)} converted (the bot's old kept turns dropped)`);
  }
  const subjectKeys = createSubjectKeys(db, personal);
  const kept = storageFromConfig(config);
  const storage = createEncryptedStorage(kept.storage, keyring, subjectKeys, (key, reason) => auditBrokenRead(db, key, reason));
  const connection = await Connection.connect({ address: options.temporalAddress });
  // Every payload (and failure message) this system writes to Temporal is encrypted; the workers read with the same keys.
  const dataConverter = systemDataConverter(keyring, options.payloadsUnderMasterKeysOnly === true ? undefined : subjectKeys);
  // Traced, starts, signals and updates carry the caller's trace in their headers (the API's webhooks and intake, polling).
  const traceCarrier = options.tracing === undefined ? undefined : (await import('@temporalio/interceptors-opentelemetry/lib/client/index.js')).OpenTelemetryWorkflowClientInterceptor;
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter,
    ...(traceCarrier === undefined ? {} : { interceptors: { workflow: [new traceCarrier()] } }),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
  const wppconnect = createWppConnectClient({
    baseUrl: config.WPPCONNECT_URL,
    session: config.WPPCONNECT_SESSION,
    timeoutMs: config.WPPCONNECT_TIMEOUT,
    ...(config.WPPCONNECT_TOKEN === undefined ? {} : { token: config.WPPCONNECT_TOKEN }),
    ...(config.WPPCONNECT_SECRET_KEY === undefined ? {} : { secretKey: config.WPPCONNECT_SECRET_KEY }),
  });
  const bundle = options.workflowBundlePath === undefined ? {} : { workflowBundlePath: options.workflowBundlePath };
  // Each process loads only its part: the worker's native Temporal core, or the HTTP stack (memory).
  const { startRegistrationWorker } = options.run.worker ? await import('../workers/registration-worker.ts') : {};
  const { startBridgeWorker } = options.run.worker ? await import('../workers/bridge-worker.ts') : {};
  // Only where messages come in: the API's webhooks and the bridge worker's polling.
  const fullChats = options.run.api || options.run.worker ? watchFullChats(temporal, personal) : undefined;
  const chats = chatHandOff(temporal, personal, config, fullChats);

  const chatwoot = chatwootSettings(config);
  const chatwootClient = chatwoot === undefined ? undefined : createChatwootClient(chatwoot);

  // The backup schedule's activity runs in the registration worker (README, "Backups and restore").
  const backupTarget = startRegistrationWorker === undefined ? undefined : backupTargetOf(config);
  if (backupTarget !== undefined) watchLatestBackup(registry, async () => {
    const newest = (await backupTarget.list()).complete.at(-1);
    return newest === undefined ? null : backupTimeOf(newest);
  });
  const worker = startRegistrationWorker !== undefined
    ? await startRegistrationWorker({
        address: options.temporalAddress,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        ...bundle,
        dataConverter,
        tracing: options.tracing,
        ...(options.workerTuning === undefined ? {} : { tuning: options.workerTuning }),
        dependencies: {
          db,
          personal,
          storage,
          wppconnect,
          chatwoot: chatwootClient,
          metrics: createRegistrationMetrics(registry),
          documentMaxPixels: Math.round(config.DOCUMENT_MAX_MEGAPIXELS * 1_000_000),
          reviewBaseUrl: publicBaseUrl,
          ...(config.REVIEWER_WHATSAPP === undefined ? {} : { reviewerWhatsApp: config.REVIEWER_WHATSAPP }),
          reminderAfterMs: config.REVIEWER_REMINDER_AFTER,
          reminderEveryMs: config.REVIEWER_REMINDER_EVERY,
          correctionCodeTtlMs: config.REGISTRATION_CORRECTION_CODE_TTL,
          ...(config.REGISTRATION_FORM_URL === undefined ? {} : { correctionFormUrl: config.REGISTRATION_FORM_URL }),
          // The bridge's bot asks for corrections in the chat (it runs when Chatwoot and Typebot are configured).
          ...(chatwootClient !== undefined && config.TYPEBOT_URL !== undefined ? { chatEvents: chats.events } : {}),
          temporal,
          ...(backupTarget === undefined ? {} : { backup: { sources: backupSourcesOf(config, options.databaseUrl, keyring, kept.storage), target: backupTarget } }),
        },
      })
    : undefined;
  // A registration's documents are prepared in the background: the intake a driver waits on goes first.
  const imageWork = worker === undefined ? undefined : yieldImageWork();
  if (worker !== undefined && config.SELF_REPAIR_SCHEDULE) await ensureSelfRepairSchedule(temporal, config);
  if (worker !== undefined && config.RETENTION_SCHEDULE) await ensureRetentionSchedule(temporal, config);
  if (worker !== undefined && config.BACKUP_SCHEDULE) await ensureBackupSchedule(temporal, config);

  const bridgeWorker = startBridgeWorker !== undefined && chatwootClient !== undefined
    ? await startBridgeWorker({
        address: options.temporalAddress,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.BRIDGE_TASK_QUEUE,
        ...bundle,
        dataConverter,
        tracing: options.tracing,
        dependencies: {
          db,
          personal,
          storage,
          wppconnect,
          chatwoot: chatwootClient,
          mediaMaxBytes: config.BRIDGE_MEDIA_MAX_MB,
          resolvedConversations: config.CHATWOOT_RESOLVED_CONVERSATIONS,
          agentSignature: config.BRIDGE_AGENT_SIGNATURE,
          readReceipts: config.BRIDGE_READ_RECEIPTS,
          voiceNotes: createVoiceNotes({ ffmpegPath: config.FFMPEG_PATH, warn: (message) => console.warn(`[bridge] ${message}`) }),
          metrics: createBridgeMetrics(registry, async () => (await getSessionHealth(db))?.state ?? null),
          bot: botSettings(config),
          operationsConversationId: config.CHATWOOT_OPERATIONS_CONVERSATION ?? null,
          ...(config.BRIDGE_HISTORY_IMPORT_DAYS === 0 ? {} : {
            firstBridged: async (chatId: string, until: number) => {
              await startHistoryImport(temporal, personal, historyPlace(config), { chatId, days: config.BRIDGE_HISTORY_IMPORT_DAYS, until, trigger: 'first-bridge' });
            },
          }),
        },
        history: {
          taskQueue: historyPlace(config).activityQueue,
          historyPace: createHistoryPace(config.BRIDGE_HISTORY_IMPORT_PER_MINUTE),
          includeGroups: config.BRIDGE_INCLUDE_GROUPS,
        },
        polling: {
          db,
          personal,
          wppconnect,
          includeGroups: config.BRIDGE_INCLUDE_GROUPS,
          readReceipts: config.BRIDGE_READ_RECEIPTS,
          handOff: chats.events,
        },
        bot: config.TYPEBOT_URL === undefined
          ? undefined
          : {
            typebot: createTypebotClient({ baseUrl: config.TYPEBOT_URL, timeoutMs: config.TYPEBOT_TIMEOUT }),
            publicId: config.TYPEBOT_PUBLIC_ID,
            mediaAllowedHosts: [new URL(config.TYPEBOT_URL).hostname, ...config.BRIDGE_MEDIA_ALLOWED_HOSTS],
          },
      })
    : undefined;
  if (bridgeWorker !== undefined && config.BRIDGE_POLLING) await startPolling(temporal, config);
  if (bridgeWorker !== undefined && config.WHATSAPP_HEALTH_SCHEDULE) await ensureSessionHealthSchedule(temporal, config);

  let app: FastifyInstance | undefined;
  let apiUrl: string | undefined;
  let documentChecks: DocumentChecks | undefined;
  if (options.run.api) {
    const { buildApp } = await import('../api/app.ts');
    documentChecks = createDocumentChecks({ threads: config.DOCUMENT_CHECK_THREADS, timeoutMs: config.DOCUMENT_CHECK_TIMEOUT });
    app = await buildApp({
      config, db, personal, storage, documentChecks, temporal, chats, traced: options.tracing !== undefined,
      ...(chatwootClient === undefined ? {} : {
        // The bridge names a chat's contact by the chat's WhatsApp id; one an agent made has the phone only.
        deleteChatwootContact: async (chatId: string) => {
          const digits = /^(\d{8,15})@c\.us$/.exec(chatId)?.[1];
          const found = [await chatwootClient.findContactByIdentifier(chatId), digits === undefined ? null : await chatwootClient.findContactByPhone(`+${digits}`)];
          const ids = [...new Set(found.flatMap((contact) => (contact === null ? [] : [contact.id])))];
          let deleted = false;
          for (const id of ids) deleted = (await chatwootClient.deleteContact(id)) || deleted;
          return deleted;
        },
      }), metrics: registry, payloadCodec: dataConverter.payloadCodecs[0],
      missedMessages: createMissedMessages({ db, personal, wppconnect, includeGroups: config.BRIDGE_INCLUDE_GROUPS }),
      whatsappQrCode: async () => (await wppconnect.sessionStatus()).qrCode,
      showTyping: async (chatId, typing) => wppconnect.setTyping({ chatId, typing }),
      sessionChanged: async (status) => {
        const offline = phoneOfflineHint(status);
        if (offline !== undefined) await recordPhoneOffline(db, offline);
        // The health Schedule looks now rather than at its next tick (none when it is off: then the log says it).
        // Not waited for (the webhook answers at once, Temporal up or not); a check already under way takes this one after it.
        void temporal.schedule.getHandle(sessionHealthScheduleId(config.BRIDGE_TASK_QUEUE)).trigger(ScheduleOverlapPolicy.BUFFER_ONE).catch(() => undefined);
      },
      tellDriver: async ({ chatId, phone, text, key }) => {
        const sent = await sendToWhatsAppOnce({ db, personal, wppconnect }, { key, origin: 'registration', chatId, phone, content: { kind: 'text', text } });
        return sent.outcome === 'sent';
      },
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.logStream === undefined ? {} : { logStream: options.logStream }),
      ...(options.afterIntakeCommit === undefined ? {} : { afterIntakeCommit: options.afterIntakeCommit }),
    });
    await app.listen({ host: config.HOST, port: config.PORT });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.PORT;
    apiUrl = `http://127.0.0.1:${port}`;
  }

  return {
    apiUrl,
    app,
    worker,
    bridgeWorker,
    db,
    personal,
    payloadCodec: dataConverter.payloadCodecs[0],
    storage,
    temporal,
    metrics: registry,
    async stop() {
      await fullChats?.stop();
      await app?.close();
      await documentChecks?.close();
      imageWork?.stop();
      await worker?.stop();
      await bridgeWorker?.stop();
      backupTarget?.close();
      kept.close();
      await handOffsSettled(temporal);
      await connection.close();
      await db.end();
    },
  };
}

/** The Chatwoot connection, when every key of it is configured (the bridge runs only then). */
function chatwootSettings(config: Config) {
  const { CHATWOOT_URL, CHATWOOT_ACCOUNT_ID, CHATWOOT_INBOX_ID, CHATWOOT_API_TOKEN } = config;
  if (CHATWOOT_URL === undefined || CHATWOOT_ACCOUNT_ID === undefined || CHATWOOT_INBOX_ID === undefined || CHATWOOT_API_TOKEN === undefined) {
    return undefined;
  }
  return {
    baseUrl: CHATWOOT_URL, accountId: CHATWOOT_ACCOUNT_ID, inboxId: CHATWOOT_INBOX_ID, apiToken: CHATWOOT_API_TOKEN,
    attachmentHosts: config.BRIDGE_MEDIA_ALLOWED_HOSTS,
  };
}

/** The registration bot's settings, when Typebot is configured: the one source every chat follows. */
function botSettings(config: Config): BotSettings | null {
  if (config.TYPEBOT_URL === undefined) return null;
  return {
    keywords: config.TYPEBOT_TRIGGER_KEYWORDS,
    startOnNewConversation: config.TYPEBOT_START_ON_NEW_CONVERSATION,
    reminderAfterMs: config.TYPEBOT_REMINDER_AFTER,
    sessionTtlMs: config.TYPEBOT_SESSION_TTL,
  };
}

/** The one polling workflow of this bridge task queue; already running (another worker started it) is fine. */
async function startPolling(temporal: Client, config: Config): Promise<void> {
  await temporal.workflow.start(whatsappPolling, {
    workflowId: pollingWorkflowId(config.BRIDGE_TASK_QUEUE),
    taskQueue: config.BRIDGE_TASK_QUEUE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{
      minIntervalMs: config.BRIDGE_POLL_MIN_INTERVAL,
      maxIntervalMs: config.BRIDGE_POLL_MAX_INTERVAL,
      reconcileEveryMs: config.BRIDGE_RECONCILE_EVERY,
      reconcileWindowSeconds: Math.round(config.BRIDGE_RECONCILE_WINDOW / 1000),
    }],
  });
}
