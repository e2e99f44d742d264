/**
 * `npm run bench:bridge`: the WhatsApp → Chatwoot bridge under load, against the engine's own
 * ceiling on the same Temporal server. Phases, in order:
 *   1. ceiling: 2,000 signals into 200 minimal workflows running one no-op activity each;
 *   2. full speed: 2,000 WPPConnect webhooks over 200 chats, 32 in flight, to the API;
 *   3. half the ceiling: 2,000 more over 200 fresh chats, open-loop at half the ceiling's rate;
 *   4. agent replies: 500 signed Chatwoot webhooks to the API, each reply checked on WhatsApp.
 * Prints one JSON object on stdout (logs go to stderr) and stops everything it started, also when
 * it fails. Knobs: bench/bridge/bridge-settings.ts; see bench/README.md.
 */
import { randomInt } from 'node:crypto';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../platform/config.ts';
import { parseMasterKeys } from '../../platform/crypto/keyring.ts';
import { createDb } from '../../platform/db.ts';
import { loadPersonalData } from '../../platform/stores/data-keys.ts';
import type { ReadyMessage } from '../shared/child-messages.ts';
import { startSystemChild } from '../shared/child-process.ts';
import type { Cleanups } from '../shared/cleanups.ts';
import { machineInfo, peakRssMb } from '../shared/process-stats.ts';
import { runBench } from '../shared/run-bench.ts';
import { childNodeFlags } from '../shared/settings.ts';
import { terminateWorkflows } from '../shared/workflows.ts';
import { runAgentReplies } from './agent-replies.ts';
import { benchChats, type BenchChats } from './bench-chats.ts';
import { startBridgeEnvironment } from './bridge-environment.ts';
import { bridgeReport } from './bridge-report.ts';
import { loadBridgeSettings } from './bridge-settings.ts';
import { measureCeiling } from './ceiling.ts';
import { ChatwootArrivals } from './chatwoot-arrivals.ts';
import { conversationsByPhone } from './chatwoot-view.ts';
import { runInboundPhase } from './inbound-phase.ts';
import { measureRoundTrips } from './round-trips.ts';

const log = (line: string) => console.error(`[bench] ${line}`);

const chatIdsOf = (chats: BenchChats) => Array.from({ length: chats.chats }, (_, chat) => `${chats.phoneOf(chat)}@c.us`);

async function main(cleanups: Cleanups): Promise<Record<string, unknown>> {
  const settings = loadBridgeSettings(process.env);
  const loadAverageAtStart = os.loadavg()[0] ?? 0;
  const arrivals = new ChatwootArrivals();
  const env = await startBridgeEnvironment(settings, arrivals.record, cleanups, log);
  const { infrastructure, wpp, chatwoot } = env;
  const systemConfig = loadConfig({ ...process.env, ...env.systemEnv });
  const timeoutMs = settings.BENCH_TIMEOUT_SECONDS * 1000;
  const nodeFlags = childNodeFlags(settings);

  const connection = await Connection.connect({ address: infrastructure.temporalAddress });
  cleanups.add('Temporal client', () => connection.close());
  const temporal = new Client({ connection, namespace: infrastructure.temporalNamespace });
  cleanups.add("the run's workflows", () => terminateWorkflows(temporal, Object.values(env.taskQueues)));

  const runBlock = randomInt(100, 1000);
  const fullSpeedChats = benchChats('full_speed', runBlock, settings.BENCH_CHATS, settings.BENCH_MESSAGES_PER_CHAT);
  const pacedChats = benchChats('half_ceiling', runBlock, settings.BENCH_CHATS, settings.BENCH_MESSAGES_PER_CHAT);
  const basePids = { bench: process.pid, ...(infrastructure.temporalPid === undefined ? {} : { temporal_server: infrastructure.temporalPid }) };

  const ceiling = await measureCeiling({
    temporal, env: env.ceilingEnv, nodeFlags, chats: fullSpeedChats, concurrency: settings.BENCH_CONCURRENCY,
    pids: basePids, timeoutMs, cleanups, log,
  });
  const ceilingRate = ceiling.signals / (ceiling.elapsedMs / 1000);
  log(`Ceiling: ${ceilingRate.toFixed(1)} signals per second`);

  const workers = Array.from({ length: settings.BENCH_WORKERS }, (_, index) => {
    const worker = startSystemChild<ReadyMessage>('worker', env.systemEnv, nodeFlags);
    cleanups.add(`worker process ${index + 1}`, () => worker.stop());
    return worker;
  });
  const api = startSystemChild<ReadyMessage>('api', env.systemEnv, nodeFlags);
  cleanups.add('API process', () => api.stop());
  const [apiReady] = await Promise.all([api.first, ...workers.map((worker) => worker.first)]);
  if (apiReady.apiUrl === undefined) throw new Error('The API process reported no URL');
  // The chats' workflow ids are keyed hashes: the system's index key (made by its first start) names them.
  const db = createDb(infrastructure.databaseUrl);
  cleanups.add('database pool', () => db.end());
  const chatKeys = await loadPersonalData(db, parseMasterKeys(systemConfig.MASTER_KEYS!));
  wpp.setWebhookUrl(`${apiReady.apiUrl}/webhooks/wppconnect/${env.webhookToken}`);
  chatwoot.setWebhookUrl(`${apiReady.apiUrl}/webhooks/chatwoot`);
  log(`API (pid ${api.pid}) at ${apiReady.apiUrl}; worker pids ${workers.map((worker) => worker.pid).join(', ')}; bridge task queue ${env.taskQueues.bridge}`);
  const abandoned = Promise.race([api.exited, ...workers.map((worker) => worker.exited)]).then((reason): never => {
    throw new Error(`A child process ended during the run (${reason})`);
  });
  abandoned.catch(() => undefined);
  const pids = { ...basePids, api: api.pid, ...Object.fromEntries(workers.map((worker, index) => [index === 0 ? 'worker' : `worker_${index + 1}`, worker.pid])) };
  const phase = { wpp, chatwoot, arrivals, pids, timeoutMs, abandoned };

  log(`Full speed: ${fullSpeedChats.total} messages over ${fullSpeedChats.chats} chats, ${settings.BENCH_CONCURRENCY} in flight`);
  const fullSpeed = await runInboundPhase({ ...phase, chats: fullSpeedChats, pace: { concurrency: settings.BENCH_CONCURRENCY } });
  const fullSpeedTrips = await measureRoundTrips(temporal, chatKeys, chatIdsOf(fullSpeedChats), fullSpeedChats.total);
  log(`Full speed: ${fullSpeed.delivery.delivered} delivered in ${((fullSpeed.elapsedMs ?? 0) / 1000).toFixed(1)} s`);

  const ratePerSecond = ceilingRate * settings.BENCH_PACED_FRACTION;
  log(`Half the ceiling: ${pacedChats.total} messages over ${pacedChats.chats} fresh chats at ${ratePerSecond.toFixed(1)} per second`);
  const halfCeiling = await runInboundPhase({ ...phase, chats: pacedChats, pace: { ratePerSecond } });
  const pacedTrips = await measureRoundTrips(temporal, chatKeys, chatIdsOf(pacedChats), pacedChats.total);

  const byPhone = conversationsByPhone(chatwoot);
  const conversations = Array.from({ length: fullSpeedChats.chats }, (_, chat) => fullSpeedChats.phoneOf(chat))
    .flatMap((phone) => (byPhone.has(phone) ? [{ phone, conversationId: byPhone.get(phone)! }] : []));
  if (conversations.length === 0) throw new Error('No conversation in Chatwoot to reply in');
  log(`Agent replies: ${settings.BENCH_AGENT_REPLIES} over ${conversations.length} conversations`);
  const replies = await runAgentReplies({ ...phase, conversations, replies: settings.BENCH_AGENT_REPLIES, perSecond: settings.BENCH_AGENT_REPLIES_PER_SECOND });

  const memory: Record<string, number | null> = { api_peak_rss_mb: (await peakRssMb(api.pid)) ?? null };
  for (const [index, worker] of workers.entries()) memory[index === 0 ? 'worker_peak_rss_mb' : `worker_${index + 1}_peak_rss_mb`] = (await peakRssMb(worker.pid)) ?? null;
  await api.stop();
  await Promise.all(workers.map((worker) => worker.stop()));
  return bridgeReport({
    settings,
    systemConfig,
    ceiling,
    fullSpeed: { chats: fullSpeedChats, result: fullSpeed, roundTrips: fullSpeedTrips },
    halfCeiling: { chats: pacedChats, result: halfCeiling, roundTrips: pacedTrips, ratePerSecond },
    replies: { ...replies, conversations: conversations.length },
    memory,
    machine: { ...machineInfo(loadAverageAtStart), temporal: infrastructure.temporalOrigin, postgres: infrastructure.databaseOrigin },
  });
}

runBench(log, main);
