/**
 * Fault switches for tests and the sandbox, and the bodies a real deployment
 * answers with: the server's rate limiter for 429, the send controller for 500,
 * the reverse proxy in front of it (nginx) for 502 and 503.
 */
import { FaultSwitches, nginxPage, type FaultReply, type FaultStatus } from '../shared/fault-switches.ts';

export type { FaultStatus };

export interface WppFaults {
  /** The next `count` requests answer `status` (queued after any earlier failNext). */
  failNext(count: number, status: FaultStatus): void;
  /** Every response is delayed by this much (to cause client timeouts). */
  delayMs: number;
  /** Connections are destroyed (connection reset), like a crashed server; no webhook goes out either. */
  down: boolean;
  /** Every webhook is POSTed twice (a redelivery the bridge must treat as one). */
  duplicateWebhooks: boolean;
  /** Webhooks are not delivered, as if the network to the bridge failed; messages still reach the chats. */
  webhookDown: boolean;
  /** Each webhook started from now on leaves this much later (a slow path to the bridge: a later event can overtake it). */
  webhookDelayMs: number;
}

export class WppFaultSwitches extends FaultSwitches implements WppFaults {
  webhookDown = false;
  webhookDelayMs = 0;
}

export function faultReply(status: FaultStatus, session: string, route: string): FaultReply {
  const json = (body: unknown): FaultReply => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
  switch (status) {
    case 429:
      return json({
        status: 'error',
        message: 'Too many requests, please try again later.',
        session,
        endpoint: route.split('/').filter(Boolean).pop() ?? '',
        limitResetTime: new Date(Date.now() + 60_000).toISOString(),
      });
    case 500:
      return route.includes('/send-')
        ? json({ status: 'Error', message: 'Erro ao enviar a mensagem.', error: {} })
        : json({ status: 'error', message: 'The session is not active', error: {} });
    case 502:
      return { contentType: 'text/html', body: nginxPage('502 Bad Gateway') };
    case 503:
      return { contentType: 'text/html', body: nginxPage('503 Service Temporarily Unavailable') };
  }
}
