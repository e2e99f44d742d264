import { Counter, Gauge, type Registry } from 'prom-client';

export interface BridgeMetrics {
  relayed: Counter<'kind'>;
  relayFailures: Counter<'kind'>;
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
    sessionState: new Gauge({
      name: 'whatsapp_session_state',
      help: 'The WhatsApp session: 1 for its current state (CONNECTED, PHONE_OFFLINE, QRCODE, INITIALIZING, CLOSED, UNREACHABLE), 0 for the others',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}
