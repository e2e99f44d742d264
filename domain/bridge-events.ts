/**
 * What flows through a chat's `conversation` workflow: small, ordered events that carry ids, text
 * and storage keys — never media bytes.
 */
export interface InboundMessage {
  kind: 'inbound';
  /** WhatsApp's serialized id, e.g. false_351912345678@c.us_3EB0A1B2 — the dedupe key. */
  whatsappId: string;
  type: string;
  text: string | null;
  /** Storage key of the full media file when the webhook carried it; absent: download it. */
  mediaKey: string | null;
  mimetype: string | null;
  filename: string | null;
  quotedWhatsappId: string | null;
  timestamp: number;
  senderName: string | null;
}

export interface OutboundMessage {
  kind: 'outbound';
  /** Chatwoot message id — the dedupe key. */
  chatwootMessageId: number;
  conversationId: number;
  text: string | null;
  attachments: Array<{ dataUrl: string; fileType: string; contentType: string | null; fileSize: number | null }>;
  /** The WhatsApp id of the message this one replies to, when the agent replied to one. */
  quotedWhatsappId: string | null;
}

export interface DeliveryAck {
  kind: 'ack';
  whatsappId: string;
  /** WPPConnect ack: -1 failed … 1 sent, 2 delivered, 3 read, 4 played. */
  ack: number;
}

/**
 * What people do around the bot: an agent took the conversation (assignment), resolved it, or told
 * the bot to resume (a private note `/bot`). The ref makes a redelivered webhook the same event.
 */
export interface ConversationControl {
  kind: 'control';
  control: 'assigned' | 'resolved' | 'resume-bot';
  ref: string;
}

export type ChatEvent = InboundMessage | OutboundMessage | DeliveryAck | ConversationControl;

/** The business id an event is deduplicated by (acks are keyed by id and level, so a higher ack still passes). */
export function eventKey(event: ChatEvent): string {
  switch (event.kind) {
    case 'inbound':
      return `wa:${event.whatsappId}`;
    case 'outbound':
      return `cw:${event.chatwootMessageId}`;
    case 'ack':
      return `ack:${event.whatsappId}:${event.ack}`;
    case 'control':
      return `ctl:${event.control}:${event.ref}`;
  }
}

/** `audio/ogg; codecs=opus` → `audio/ogg`: storage and Chatwoot take the bare media type. */
export const bareMediaType = (mimetype: string) => mimetype.split(';')[0]!.trim().toLowerCase();

export const chatWorkflowId = (chatId: string) => `whatsapp-chat-${chatId}`;
