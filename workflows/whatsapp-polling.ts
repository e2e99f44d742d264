import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { PollingActivities } from '../activities/bridge/polling.ts';

/**
 * The safety net under WPPConnect's webhooks, which are never retried: poll for new messages
 * (every `minIntervalMs` while there is traffic, backing off to `maxIntervalMs` when idle) and,
 * every `reconcileEveryMs`, compare recent chats with what was relayed and fill the gaps. Both
 * feed the same chat workflows, which drop what they already have.
 */
export interface WhatsAppPollingInput {
  minIntervalMs: number;
  maxIntervalMs: number;
  reconcileEveryMs: number;
  /** How far back reconciliation looks, in seconds of WhatsApp time. */
  reconcileWindowSeconds: number;
  /** Carried across continue-as-new. */
  sinceReconcileMs?: number;
}

const polling = proxyActivities<PollingActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds' },
});

const iterationsPerRun = 500;

export async function whatsappPolling(input: WhatsAppPollingInput): Promise<void> {
  let interval = input.minIntervalMs;
  let sinceReconcile = input.sinceReconcileMs ?? input.reconcileEveryMs;
  for (let iteration = 0; iteration < iterationsPerRun; iteration += 1) {
    if (sinceReconcile >= input.reconcileEveryMs) {
      await polling.reconcileRecentChats({ windowSeconds: input.reconcileWindowSeconds });
      sinceReconcile = 0;
    }
    const { found } = await polling.pollNewMessages();
    interval = found > 0 ? input.minIntervalMs : Math.min(interval * 2, input.maxIntervalMs);
    await sleep(interval);
    sinceReconcile += interval;
  }
  await continueAsNew<typeof whatsappPolling>({ ...input, sinceReconcileMs: sinceReconcile });
}

export const pollingWorkflowId = (taskQueue: string) => `whatsapp-polling-${taskQueue}`;
