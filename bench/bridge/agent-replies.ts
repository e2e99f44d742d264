/**
 * Agents' replies through Chatwoot's webhook: the Chatwoot simulator creates each reply as an
 * agent's outgoing message and delivers `message_created` to the API exactly as Chatwoot does
 * (its own payload, signature and timing: one delivery at a time). Measured: the API's answer
 * time to those deliveries; checked: each reply reaches WhatsApp once, in order per chat.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatwootSimulator } from '../../test/simulators/chatwoot/index.ts';
import type { WppConnectSimulator } from '../../test/simulators/wppconnect/index.ts';
import { cpuBetween, cpuSnapshot } from '../shared/process-stats.ts';
import { checkDelivery, type DeliveryCounts, type Expected } from './delivery-check.ts';
import { lateCopyWindowMs, waitUntil } from './waiting.ts';

export interface AgentRepliesOptions {
  chatwoot: ChatwootSimulator;
  wpp: WppConnectSimulator;
  /** Where agents reply, in turn: a conversation and its driver's WhatsApp digits. */
  conversations: Array<{ conversationId: number; phone: string }>;
  replies: number;
  /** Replies created a second; 0: all at once. */
  perSecond: number;
  pids: Record<string, number>;
  timeoutMs: number;
  abandoned: Promise<never>;
}

export interface AgentRepliesResult {
  /** Every reply was answered by the API and reached WhatsApp before the timeout. */
  completed: boolean;
  /** The API's answer time to each reply's message_created delivery. */
  answerMs: number[];
  /** HTTP status (or 'error') → count, over those deliveries. */
  statuses: Record<string, number>;
  /** From the first reply to the last one seen on WhatsApp. */
  elapsedMs: number;
  whatsapp: DeliveryCounts;
  cpuSeconds: Record<string, number | null>;
}

export async function runAgentReplies(options: AgentRepliesOptions): Promise<AgentRepliesResult> {
  const { chatwoot, wpp } = options;
  const expected = new Map<string, Expected>();
  const replyIds = new Set<number>();
  const deliveriesBefore = chatwoot.webhookDeliveries.length;
  const replyDeliveries = () =>
    chatwoot.webhookDeliveries.slice(deliveriesBefore).filter((delivery) => delivery.event === 'message_created' && replyIds.has(delivery.payloadId));
  const onWhatsApp = () => wpp.sent.reduce((total, sent) => total + (expected.has(sent.body) ? 1 : 0), 0);

  const cpuBefore = await cpuSnapshot(options.pids);
  const started = performance.now();
  for (let i = 0; i < options.replies; i++) {
    if (options.perSecond > 0) {
      const dueMs = started + (i * 1000) / options.perSecond - performance.now();
      if (dueMs > 0) await sleep(dueMs);
    }
    const target = options.conversations[i % options.conversations.length]!;
    const content = `[bench resposta] ${i + 1}: já verificamos a sua entrega.`;
    expected.set(content, { stream: target.phone, order: i });
    const { messageId } = await chatwoot.agentReply(target.conversationId, { content });
    replyIds.add(messageId);
  }
  const answered = await waitUntil(() => replyDeliveries().length >= options.replies, options.timeoutMs, options.abandoned);
  const delivered = await waitUntil(() => onWhatsApp() >= options.replies, options.timeoutMs, options.abandoned);
  const elapsedMs = performance.now() - started;
  const cpuSeconds = cpuBetween(cpuBefore, await cpuSnapshot(options.pids));

  // The replies' acks and status updates still flow: let them, then look for late copies.
  await Promise.race([Promise.all([wpp.settled(), chatwoot.webhooksIdle()]), options.abandoned]);
  await sleep(lateCopyWindowMs);
  const deliveries = replyDeliveries();
  const statuses: Record<string, number> = {};
  for (const delivery of deliveries) statuses[String(delivery.status)] = (statuses[String(delivery.status)] ?? 0) + 1;
  return {
    completed: answered && delivered,
    answerMs: deliveries.map((delivery) => delivery.durationMs),
    statuses,
    elapsedMs,
    whatsapp: checkDelivery(expected, wpp.sent.map((sent) => ({ stream: sent.phone, text: sent.body }))),
    cpuSeconds,
  };
}
