/** The one JSON object the bridge bench prints: the figures first, then each phase, the settings and the machine. */
import { bridgeWorkerTuning } from '../../workers/bridge-worker.ts';
import type { Config } from '../../platform/config.ts';
import { atLeast, atMost, exactly, summaryOrNull, type Target } from '../shared/bench-report.ts';
import { round } from '../shared/process-stats.ts';
import type { AgentRepliesResult } from './agent-replies.ts';
import type { BenchChats } from './bench-chats.ts';
import type { BridgeSettings } from './bridge-settings.ts';
import type { CeilingResult } from './ceiling.ts';
import type { DeliveryCounts } from './delivery-check.ts';
import type { InboundPhaseResult } from './inbound-phase.ts';
import type { RoundTrips } from './round-trips.ts';

export interface InboundPhaseReport {
  chats: BenchChats;
  result: InboundPhaseResult;
  roundTrips: RoundTrips;
}

export interface BridgeReportInput {
  settings: BridgeSettings;
  systemConfig: Pick<Config, 'BRIDGE_BATCH_SIZE' | 'BRIDGE_POLLING'>;
  ceiling: CeilingResult;
  fullSpeed: InboundPhaseReport;
  halfCeiling: InboundPhaseReport & { ratePerSecond: number };
  replies: AgentRepliesResult & { conversations: number };
  memory: Record<string, number | null>;
  machine: Record<string, string | number>;
}

const seconds = (ms: number | null) => (ms === null ? null : round(ms / 1000, 2));
const perSecond = (count: number, ms: number | null) => (ms === null || ms <= 0 ? null : round(count / (ms / 1000), 1));

/** The bridge machine's CPU milliseconds per message: the whole machine's busy time but the load generator's and simulators' (`bench`). */
const machineCpuMsPer = (cpu: Record<string, number | null>, messages: number) =>
  cpu.machine_busy === null || cpu.machine_busy === undefined ? null : round(((cpu.machine_busy - (cpu.bench ?? 0)) * 1000) / messages, 2);

/** CPU milliseconds each process spent per message. */
const cpuMsPer = (cpu: Record<string, number | null>, messages: number) =>
  Object.fromEntries(Object.entries(cpu).map(([name, value]) => [name, value === null ? null : round((value * 1000) / messages, 2)]));

function inboundPhase({ chats, result, roundTrips }: InboundPhaseReport) {
  return {
    messages: chats.total,
    chats: chats.chats,
    completed: result.completed,
    seconds: seconds(result.elapsedMs),
    messages_per_second: perSecond(result.delivery.delivered, result.elapsedMs),
    latency_ms: summaryOrNull(result.latencyMs),
    latency_ms_first_of_chat: summaryOrNull(result.firstOfChatLatencyMs),
    latency_ms_later: summaryOrNull(result.laterLatencyMs),
    latency_p99_ms_by_tenth: result.p99ByTenthMs,
    wppconnect_webhook_answer_ms: summaryOrNull(result.webhookAnswerMs),
    webhook_failures: result.webhookFailures,
    ...(result.startLagMs === undefined ? {} : { start_lag_ms: summaryOrNull(result.startLagMs) }),
    delivery: result.delivery,
    temporal: roundTrips,
    chatwoot_webhooks_meanwhile: {
      deliveries: result.chatwootWebhookMs.length,
      failures: result.chatwootWebhookFailures,
      answer_ms: summaryOrNull(result.chatwootWebhookMs),
    },
    cpu_seconds: result.cpuSeconds,
    cpu_ms_per_message: cpuMsPer(result.cpuSeconds, chats.total),
    machine_cpu_ms_per_message: machineCpuMsPer(result.cpuSeconds, chats.total),
  };
}

function sumDeliveries(counts: DeliveryCounts[]): DeliveryCounts {
  const total: DeliveryCounts = { sent: 0, delivered: 0, lost: 0, duplicated: 0, out_of_order: 0, misrouted: 0 };
  for (const count of counts) for (const key of Object.keys(total) as Array<keyof DeliveryCounts>) total[key] += count[key];
  return total;
}

export function bridgeReport(input: BridgeReportInput): Record<string, unknown> {
  const { ceiling, fullSpeed, halfCeiling, replies, settings } = input;
  const rate = perSecond(fullSpeed.result.delivery.delivered, fullSpeed.result.elapsedMs);
  const ceilingRate = round(ceiling.signals / (ceiling.elapsedMs / 1000), 1);
  const ratio = rate === null ? undefined : round(rate / ceilingRate, 3);
  const fullLatency = summaryOrNull(fullSpeed.result.latencyMs);
  const pacedLatency = summaryOrNull(halfCeiling.result.latencyMs);
  const replyAnswers = summaryOrNull(replies.answerMs);
  const everything = sumDeliveries([fullSpeed.result.delivery, halfCeiling.result.delivery, replies.whatsapp]);
  const targets: Record<string, Target> = {
    lost: exactly(everything.lost, 0),
    duplicated: exactly(everything.duplicated, 0),
    out_of_order: exactly(everything.out_of_order, 0),
    misrouted: exactly(everything.misrouted, 0),
    ratio_to_ceiling: atLeast(ratio, 0.8),
    half_ceiling_latency_p99_ms: atMost(pacedLatency?.p99, 300),
    half_ceiling_machine_cpu_ms_per_message: atMost(machineCpuMsPer(halfCeiling.result.cpuSeconds, halfCeiling.chats.total) ?? undefined, 15),
    chatwoot_webhook_answer_p99_ms: atMost(replyAnswers?.p99, 100),
  };
  return {
    benchmark: 'bridge',
    ...fullSpeed.result.delivery,
    messages_per_second: rate,
    ceiling_signals_per_second: ceilingRate,
    ratio_to_ceiling: ratio ?? null,
    latency_ms: { full_speed: fullLatency, half_ceiling: pacedLatency },
    chatwoot_webhook_answer_ms: replyAnswers,
    all_phases_delivery: everything,
    targets,
    all_targets_met: Object.values(targets).every((target) => target.met),
    phases: {
      ceiling: {
        signals: ceiling.signals,
        workflows: ceiling.workflows,
        concurrency: settings.BENCH_CONCURRENCY,
        seconds: seconds(ceiling.elapsedMs),
        signals_per_second: ceilingRate,
        signal_with_start_ms: summaryOrNull(ceiling.signalWithStartMs),
        cpu_seconds: ceiling.cpuSeconds,
        cpu_ms_per_signal: cpuMsPer(ceiling.cpuSeconds, ceiling.signals),
      },
      full_speed: { concurrency: settings.BENCH_CONCURRENCY, ...inboundPhase(fullSpeed) },
      half_ceiling: { rate_per_second: round(halfCeiling.ratePerSecond, 1), ...inboundPhase(halfCeiling) },
      agent_replies: {
        replies: settings.BENCH_AGENT_REPLIES,
        replies_per_second: settings.BENCH_AGENT_REPLIES_PER_SECOND || 'all at once',
        conversations: replies.conversations,
        completed: replies.completed,
        seconds_until_all_on_whatsapp: seconds(replies.elapsedMs),
        chatwoot_webhook_answer_ms: replyAnswers,
        chatwoot_webhook_statuses: replies.statuses,
        whatsapp: replies.whatsapp,
        cpu_seconds: replies.cpuSeconds,
      },
    },
    settings: {
      chats: settings.BENCH_CHATS,
      messages_per_chat: settings.BENCH_MESSAGES_PER_CHAT,
      concurrency: settings.BENCH_CONCURRENCY,
      paced_fraction_of_ceiling: settings.BENCH_PACED_FRACTION,
      agent_replies: settings.BENCH_AGENT_REPLIES,
      workers: settings.BENCH_WORKERS,
      timeout_seconds: settings.BENCH_TIMEOUT_SECONDS,
      bridge_batch_size: input.systemConfig.BRIDGE_BATCH_SIZE,
      bridge_polling: input.systemConfig.BRIDGE_POLLING,
      temporal_dynamic_config: settings.TEMPORAL_ADDRESS === undefined ? settings.BENCH_TEMPORAL_DYNAMIC_CONFIG ?? 'dev server defaults' : 'the server at TEMPORAL_ADDRESS',
      bridge_worker: { ...bridgeWorkerTuning, others: 'SDK defaults' },
      ceiling_worker: 'the bridge worker\'s options',
    },
    memory: input.memory,
    machine: input.machine,
  };
}
