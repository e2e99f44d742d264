/**
 * The API inbox's webhook (CONTRACTS.md §1.7): every conversation and message event of the
 * inbox POSTed to its webhook_url, signed with the inbox secret (Chatwoot 4.13+), 5 s
 * timeout, never retried. A failed message_created/message_updated marks the message
 * `failed` with the error text, as Chatwoot does. The payload is built when the event
 * happens; each delivery is a job of its own (Chatwoot's WebhookJob on Sidekiq's pool of
 * threads), so deliveries overlap and promise no order: each starts after a pause of
 * 0 to `jitterMs` (deterministic, from `seed`), after the API has answered. `jitterMs: 0`
 * and one job at a time (`inOrder`) give the old strictly ordered delivery, for the sandbox.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { signChatwootWebhook } from '../../../integrations/chatwoot/signature.ts';
import type { FaultSwitches } from '../shared/fault-switches.ts';
import { railsJson } from './webhook-format.ts';

export interface WebhookDelivery {
  event: string;
  /** The receiver's HTTP status, or 'error' when there was none (refused, reset, timed out). */
  status: number | 'error';
  at: Date;
  /** X-Chatwoot-Delivery, null when unsigned. */
  deliveryId: string | null;
  /** The payload's `id`: the message id, or the conversation's display id. */
  payloadId: number;
  /** From the start of the POST to the end of the answer (or the failure), in milliseconds. */
  durationMs: number;
}

export interface WebhookSettings {
  url: string | undefined;
  secret: string;
  sign: boolean;
  timeoutMs: number;
  /** Each delivery waits 0 to this many milliseconds before its POST (Sidekiq's pick-up), so they overlap and reorder. */
  jitterMs: number;
  /** Seed of the pauses: a run is repeatable. */
  seed: number;
  /** One delivery at a time, in the order the events happened (not what Chatwoot promises). */
  inOrder: boolean;
}

const FAILURE_MARKED_EVENTS = new Set(['message_created', 'message_updated']);

/** A small deterministic generator (mulberry32): the pauses are arbitrary but the same on every run. */
function pauses(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  private chain: Promise<void> = Promise.resolve();
  private readonly nextPause: () => number;

  constructor(
    readonly settings: WebhookSettings,
    private readonly faults: FaultSwitches,
    /** Called for a failed message event: Messages::StatusUpdateService(message, 'failed', error). */
    private readonly markFailed: (messageId: number, error: string) => void,
    private readonly closing: AbortSignal,
  ) {
    this.nextPause = pauses(settings.seed);
  }

  enqueue(payload: Record<string, unknown>): void {
    const { url } = this.settings;
    const event = String(payload.event);
    const payloadId = Number(payload.id);
    if (url === undefined || this.closing.aborted) return;
    const body = railsJson(payload);
    const copies = this.faults.duplicateWebhooks ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      if (this.settings.inOrder) {
        this.chain = this.chain.then(() => this.deliver(url, event, payloadId, body));
        this.track(this.chain);
        continue;
      }
      const pauseMs = Math.floor(this.nextPause() * (this.settings.jitterMs + 1));
      this.track(
        sleep(pauseMs, undefined, { signal: this.closing }).then(
          () => this.deliver(url, event, payloadId, body),
          () => undefined,
        ),
      );
    }
  }

  /** Resolves once every delivery queued so far (and any it caused) has been made. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async deliver(url: string, event: string, payloadId: number, body: string): Promise<void> {
    if (this.closing.aborted) return;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    let deliveryId: string | null = null;
    if (this.settings.sign) {
      deliveryId = randomUUID();
      Object.assign(headers, signChatwootWebhook(this.settings.secret, body, Math.floor(Date.now() / 1000)), {
        'x-chatwoot-delivery': deliveryId,
      });
    }
    let failure: string | undefined;
    let status: number | 'error';
    const started = performance.now();
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(this.settings.timeoutMs), this.closing]);
      const response = await fetch(url, { method: 'POST', headers, body, signal });
      await response.arrayBuffer();
      status = response.status;
      if (!response.ok) failure = `${response.status} ${response.statusText}`.trim();
    } catch (error) {
      if (this.closing.aborted) return;
      status = 'error';
      failure = error instanceof Error && error.name === 'TimeoutError' ? 'Timed out reading data from server' : connectionError(url, error);
    }
    this.deliveries.push({ event, status, at: new Date(), deliveryId, payloadId, durationMs: performance.now() - started });
    if (failure !== undefined && FAILURE_MARKED_EVENTS.has(event)) this.markFailed(payloadId, failure);
  }
}

function connectionError(url: string, error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : 'connection failed';
  return `Failed to open TCP connection to ${new URL(url).host} (${code})`;
}
