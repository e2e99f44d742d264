/**
 * One load phase of driver messages: each posted by the WPPConnect simulator as the very
 * `onmessage` webhook WPPConnect sends, to the API, at full speed or on a fixed schedule; then
 * waited for in Chatwoot and checked there. Latency: from the start of the webhook POST to the
 * moment the Chatwoot simulator created the message.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatwootSimulator } from '../../test/simulators/chatwoot/index.ts';
import type { WppConnectSimulator } from '../../test/simulators/wppconnect/index.ts';
import { summaryOrNull } from '../shared/bench-report.ts';
import { cpuBetween, cpuSnapshot } from '../shared/process-stats.ts';
import type { BenchChats } from './bench-chats.ts';
import type { ChatwootArrivals } from './chatwoot-arrivals.ts';
import { incomingArrivals } from './chatwoot-view.ts';
import { checkDelivery, type DeliveryCounts, type Expected } from './delivery-check.ts';
import { sendAsFastAsTaken, sendAtRate } from './send-schedules.ts';
import { lateCopyWindowMs, waitUntil } from './waiting.ts';

export type Pace = { concurrency: number } | { ratePerSecond: number };

export interface InboundPhaseOptions {
  wpp: WppConnectSimulator;
  chatwoot: ChatwootSimulator;
  arrivals: ChatwootArrivals;
  chats: BenchChats;
  pace: Pace;
  pids: Record<string, number>;
  timeoutMs: number;
  abandoned: Promise<never>;
}

export interface InboundPhaseResult {
  /** Every message appeared in Chatwoot before the timeout. */
  completed: boolean;
  /** From the start of the first webhook to the last message's arrival in Chatwoot; null when none arrived. */
  elapsedMs: number | null;
  latencyMs: number[];
  /** The same, split: each chat's first message (its workflow starts, its contact and conversation are found or made) and the rest. */
  firstOfChatLatencyMs: number[];
  laterLatencyMs: number[];
  /** p99 of the latency of each tenth of the messages, in sending order: a rising line means a growing queue. */
  p99ByTenthMs: Array<number | null>;
  /** HTTP answer time of each WPPConnect webhook, as the simulator's POST saw it. */
  webhookAnswerMs: number[];
  /** Webhooks answered with another status than 2xx, or not at all (WPPConnect never retries them). */
  webhookFailures: number;
  /** On a schedule: how late each send started against it. */
  startLagMs: number[] | undefined;
  delivery: DeliveryCounts;
  /** Chatwoot's own webhooks to the API meanwhile (message_created for each posted message, ...). */
  chatwootWebhookMs: number[];
  chatwootWebhookFailures: number;
  /** From the first webhook to the last arrival. */
  cpuSeconds: Record<string, number | null>;
}

export async function runInboundPhase(options: InboundPhaseOptions): Promise<InboundPhaseResult> {
  const { wpp, chatwoot, arrivals, chats } = options;
  const texts = chats.texts();
  const startedAt = new Array<number>(chats.total);
  const webhookAnswerMs: number[] = [];
  const wppDeliveriesBefore = wpp.webhookDeliveries.length;
  const chatwootDeliveriesBefore = chatwoot.webhookDeliveries.length;

  const send = async (index: number) => {
    const message = chats.messageAt(index);
    startedAt[index] = performance.now();
    const { delivered } = await wpp.receive({ from: chats.phoneOf(message.chat), body: chats.textOf(message), pushname: `Motorista ${message.chat}` });
    await delivered;
    webhookAnswerMs.push(performance.now() - startedAt[index]);
  };
  const plan = { total: chats.total, chatOf: (index: number) => chats.messageAt(index).chat };
  const cpuBefore = await cpuSnapshot(options.pids);
  const sending: Promise<{ startLagMs?: number[] }> = 'concurrency' in options.pace
    ? sendAsFastAsTaken(plan, options.pace.concurrency, send).then(() => ({}))
    : sendAtRate(plan, options.pace.ratePerSecond, send);
  const schedule = await Promise.race([sending, options.abandoned]);
  const completed = await waitUntil(() => arrivals.countOf(texts) === chats.total, options.timeoutMs, options.abandoned);
  const cpuSeconds = cpuBetween(cpuBefore, await cpuSnapshot(options.pids));

  await Promise.race([chatwoot.webhooksIdle(), options.abandoned]);
  await sleep(lateCopyWindowMs);
  const expected = new Map<string, Expected>(texts.map((text, index) => {
    const message = chats.messageAt(index);
    return [text, { stream: chats.phoneOf(message.chat), order: message.sequence }];
  }));
  const arrivedAt = texts.map((text) => arrivals.timeOf(text));
  const latencyOf = (index: number) => (arrivedAt[index] === undefined ? [] : [arrivedAt[index] - startedAt[index]!]);
  const indexes = texts.map((_, index) => index);
  const latencyMs = indexes.flatMap(latencyOf);
  const isFirst = (index: number) => chats.messageAt(index).sequence === 1;
  const tenth = (part: number) => indexes.slice(Math.floor((part * chats.total) / 10), Math.floor(((part + 1) * chats.total) / 10)).flatMap(latencyOf);
  const lastArrival = Math.max(...arrivedAt.map((at) => at ?? -Infinity));
  const chatwootDeliveries = chatwoot.webhookDeliveries.slice(chatwootDeliveriesBefore);
  return {
    completed,
    elapsedMs: latencyMs.length === 0 ? null : lastArrival - Math.min(...startedAt),
    latencyMs,
    firstOfChatLatencyMs: indexes.filter(isFirst).flatMap(latencyOf),
    laterLatencyMs: indexes.filter((index) => !isFirst(index)).flatMap(latencyOf),
    p99ByTenthMs: Array.from({ length: 10 }, (_, part) => summaryOrNull(tenth(part))?.p99 ?? null),
    webhookAnswerMs,
    webhookFailures: wpp.webhookDeliveries.slice(wppDeliveriesBefore).filter((delivery) => delivery.outcome !== 'delivered').length,
    startLagMs: schedule.startLagMs,
    delivery: checkDelivery(expected, incomingArrivals(chatwoot)),
    chatwootWebhookMs: chatwootDeliveries.map((delivery) => delivery.durationMs),
    chatwootWebhookFailures: chatwootDeliveries.filter((delivery) => delivery.status !== 200).length,
    cpuSeconds,
  };
}
