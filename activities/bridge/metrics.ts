import { Counter, type Registry } from 'prom-client';

export interface BridgeMetrics {
  relayed: Counter<'kind'>;
  relayFailures: Counter<'kind'>;
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
  };
}
