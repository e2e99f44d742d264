import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface BridgeMetrics {
  relayed: Counter<'kind'>;
  relayFailures: Counter<'kind'>;
  /** From the webhook's arrival to the message in Chatwoot (inbound) or on WhatsApp (outbound). */
  relayLatencySeconds: Histogram<'direction'>;
  /** 1 for the WhatsApp session's current state, 0 for the others (domain/whatsapp-session.ts). */
  sessionState: Gauge<'state'>;
}

export function createBridgeMetrics(registry: Registry): BridgeMetrics {
  return {
    relayed: new Counter({ name: 'bridge_events_relayed_total', help: 'Chat events handled, by kind (inbound, outbound, ack)', labelNames: ['kind'], registers: [registry] }),
    relayFailures: new Counter({
      name: 'bridge_relay_failures_total',
      help: 'Chat events refused for good by Chatwoot or WhatsApp (logged, chat not blocked), by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    relayLatencySeconds: new Histogram({
      name: 'bridge_relay_latency_seconds',
      help: 'From a webhook\'s arrival at the API to the message relayed: inbound (WhatsApp → Chatwoot) and outbound (Chatwoot → WhatsApp)',
      labelNames: ['direction'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    sessionState: new Gauge({
      name: 'whatsapp_session_state',
      help: 'The WhatsApp session: 1 for its current state (CONNECTED, PHONE_OFFLINE, QRCODE, INITIALIZING, CLOSED, UNREACHABLE), 0 for the others',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}
