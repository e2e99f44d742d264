/**
 * Fault switches for tests and the sandbox, and the bodies a real deployment answers
 * with: Rack::Attack's throttle for 429, Rails for 500, the reverse proxy (nginx) for 502
 * and 503. Webhook faults live here too: Chatwoot sometimes sends the same event twice.
 */
import { FaultSwitches, nginxPage, type FaultReply, type FaultStatus } from '../shared/fault-switches.ts';

export type { FaultStatus };

export interface ChatwootFaults {
  /** The next `count` requests answer `status` (queued after any earlier failNext). */
  failNext(count: number, status: FaultStatus): void;
  /** Every response is delayed by this much (the work is already done: what a client that times out must expect). */
  delayMs: number;
  /** Connections are destroyed (connection reset), like a crashed server. */
  down: boolean;
  /** Every webhook is delivered twice (two jobs: same body, different X-Chatwoot-Delivery). */
  duplicateWebhooks: boolean;
  /**
   * Rack::Attack's `req/ip` throttle (Chatwoot's config/initializers/rack_attack.rb, RACK_ATTACK_LIMIT
   * per minute by default): past `limit` API requests in one window of `periodMs` (windows start at
   * multiples of the period, as Rack::Attack counts them), a request answers 429 `Retry later` and does
   * nothing. Null: no throttle (Rack::Attack off, or a caller on its safelist).
   */
  throttle: { limit: number; periodMs: number } | null;
}

/** The Chatwoot simulator's switches: the shared ones and Rack::Attack's throttle. */
export class ChatwootFaultSwitches extends FaultSwitches implements ChatwootFaults {
  throttle: { limit: number; periodMs: number } | null = null;
  private window = { start: -1, count: 0 };

  /** Counts a request against the throttle: true when it is over the limit (429). */
  throttled(nowMs: number): boolean {
    if (this.throttle === null) return false;
    const start = Math.floor(nowMs / this.throttle.periodMs) * this.throttle.periodMs;
    if (start !== this.window.start) this.window = { start, count: 0 };
    this.window.count += 1;
    return this.window.count > this.throttle.limit;
  }
}

export function faultReply(status: FaultStatus): FaultReply {
  switch (status) {
    case 429:
      return { contentType: 'text/plain', body: 'Retry later\n' };
    case 500:
      return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ status: 500, error: 'Internal Server Error' }) };
    case 502:
      return { contentType: 'text/html', body: nginxPage('502 Bad Gateway') };
    case 503:
      return { contentType: 'text/html', body: nginxPage('503 Service Temporarily Unavailable') };
  }
}
