import { ApplicationFailure } from '@temporalio/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AgentReply, InboundMessage } from '../../domain/chat.ts';
import { ErrorType } from '../../domain/errors.ts';
import { sessionStates, type SessionState } from '../../domain/whatsapp-session.ts';

/** What a message carried, as a fixed list (a label: never the text, the file name or the sender). */
export const messageKinds = ['text', 'image', 'audio', 'voice', 'video', 'document', 'sticker', 'location', 'contact', 'other'] as const;
export type MessageKind = (typeof messageKinds)[number];

/** WPPConnect's message types (`chat`, `ptt`, `vcard`…) by the kind they are counted as. */
const inboundKinds: Record<string, MessageKind> = {
  chat: 'text', image: 'image', audio: 'audio', ptt: 'voice', video: 'video', document: 'document',
  sticker: 'sticker', location: 'location', vcard: 'contact', multi_vcard: 'contact',
};
/** Chatwoot's attachment `file_type`s by the kind they are counted as. */
const attachmentKinds: Record<string, MessageKind> = { image: 'image', audio: 'audio', video: 'video', file: 'document', location: 'location', contact: 'contact' };

export function messageKind(message: InboundMessage | AgentReply): MessageKind {
  if (message.kind === 'inbound') return inboundKinds[message.type] ?? 'other';
  const first = message.attachments[0];
  return first === undefined ? 'text' : attachmentKinds[first.fileType] ?? 'other';
}

/** Why a chat event was refused for good, as a fixed list: the failure's type, or `other`. */
export function failureReason(error: unknown): ErrorType | 'other' {
  const type = error instanceof ApplicationFailure ? error.type : undefined;
  return type !== undefined && type !== null && type in ErrorType ? (type as ErrorType) : 'other';
}

export interface BridgeMetrics {
  messages: Counter<'direction' | 'kind'>;
  receipts: Counter;
  relayFailures: Counter<'kind' | 'reason'>;
  /** From the webhook's arrival to the message in Chatwoot (inbound) or on WhatsApp (outbound). */
  relayLatencySeconds: Histogram<'direction'>;
  /** From a driver's earliest message no agent had answered yet reaching Chatwoot to the agent's reply, `first` of its conversation or `next`. */
  agentResponseSeconds: Histogram<'reply'>;
  /** Messages a history import posted into Chatwoot, by who sent them on WhatsApp (driver, company). */
  historyImported: Counter<'direction'>;
  /** Chats whose history import posted something and finished, by what started it (first-bridge, operator). */
  historyChatsImported: Counter<'trigger'>;
  /** 1 for the WhatsApp session's current state, 0 for the others (domain/whatsapp-session.ts), read at each scrape. */
  sessionState: Gauge<'state'>;
}

const minute = 60;
const hour = 3_600;

/**
 * The bridge's metrics in `registry`. The session's state is read with `sessionStateNow` at each
 * scrape (the health row every worker shares), so several workers export the same state, never
 * the one each last saw; none (the row not written yet, or the database away): no series.
 */
export function createBridgeMetrics(registry: Registry, sessionStateNow: () => Promise<SessionState | null>): BridgeMetrics {
  const metrics = createMetrics(registry, sessionStateNow);
  // Every known label's series at 0 from the start, so increase() and rate() count the first event too.
  for (const direction of ['inbound', 'outbound'] as const) {
    metrics.relayLatencySeconds.zero({ direction });
    for (const kind of messageKinds) metrics.messages.inc({ direction, kind }, 0);
  }
  for (const reply of ['first', 'next']) metrics.agentResponseSeconds.zero({ reply });
  for (const direction of ['driver', 'company']) metrics.historyImported.inc({ direction }, 0);
  for (const trigger of ['first-bridge', 'operator']) metrics.historyChatsImported.inc({ trigger }, 0);
  return metrics;
}

function createMetrics(registry: Registry, sessionStateNow: () => Promise<SessionState | null>): BridgeMetrics {
  return {
    messages: new Counter({
      name: 'bridge_messages_relayed_total',
      help: 'Messages relayed, by direction (inbound: WhatsApp → Chatwoot, outbound: Chatwoot → WhatsApp) and kind (text, image, audio, voice, video, document, sticker, location, contact, other)',
      labelNames: ['direction', 'kind'],
      registers: [registry],
    }),
    receipts: new Counter({ name: 'bridge_receipts_relayed_total', help: 'WhatsApp delivery and read receipts relayed to Chatwoot', registers: [registry] }),
    relayFailures: new Counter({
      name: 'bridge_relay_failures_total',
      help: 'Chat events refused for good by Chatwoot or WhatsApp (logged, chat not blocked), by kind (inbound, outbound, ack) and reason (the failure type, e.g. WhatsAppRecipientUnknown, ExternalServiceRejected, DocumentSourceRefused; other)',
      labelNames: ['kind', 'reason'],
      registers: [registry],
    }),
    relayLatencySeconds: new Histogram({
      name: 'bridge_relay_latency_seconds',
      help: 'From a webhook\'s arrival at the API to the message relayed: inbound (WhatsApp → Chatwoot) and outbound (Chatwoot → WhatsApp)',
      labelNames: ['direction'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    agentResponseSeconds: new Histogram({
      name: 'bridge_agent_response_seconds',
      help: 'From a driver\'s earliest message no agent had answered reaching Chatwoot (where agents see it) to an agent\'s reply reaching WhatsApp: reply="first" for the first reply of a Chatwoot conversation, "next" for the others',
      labelNames: ['reply'],
      buckets: [30, minute * 2, minute * 5, minute * 15, minute * 30, hour, hour * 2, hour * 4, hour * 8, hour * 24],
      registers: [registry],
    }),
    historyImported: new Counter({
      name: 'bridge_history_messages_imported_total',
      help: 'WhatsApp messages from before a chat was bridged (or backfilled by an operator) posted into Chatwoot by a history import, by who sent them: driver or company (the company\'s phone)',
      labelNames: ['direction'],
      registers: [registry],
    }),
    historyChatsImported: new Counter({
      name: 'bridge_history_chats_imported_total',
      help: 'Chats whose history import finished having posted messages, by trigger: first-bridge (the chat\'s first Chatwoot conversation) or operator (a backfill)',
      labelNames: ['trigger'],
      registers: [registry],
    }),
    sessionState: new Gauge({
      name: 'whatsapp_session_state',
      help: 'The WhatsApp session: 1 for its current state (CONNECTED, PHONE_OFFLINE, QRCODE, INITIALIZING, CLOSED, UNREACHABLE), 0 for the others',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        this.reset();
        const current = await sessionStateNow().catch(() => null);
        if (current !== null) for (const state of sessionStates) this.set({ state }, state === current ? 1 : 0);
      },
    }),
  };
}
