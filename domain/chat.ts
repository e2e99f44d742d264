import type { BotSettings } from './bot.ts';
import { parsePortuguesePhone, whatsAppDigits } from './phone.ts';

/**
 * A WhatsApp chat as the bridge sees it: the events that flow through its `chat` workflow (small,
 * ordered, carrying ids, text and storage keys — never media bytes), the Chatwoot conversation it is
 * linked to, and what relaying a batch of them tells the workflow. Shared by the workflow, the
 * activities and the API's hand-off.
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
  /**
   * When the bridge received it (ms since the epoch), stamped by the hand-off: a message received
   * well after WhatsApp stamped it was delivered late (a backlog, or polling). Absent in events
   * handed over before it was stamped.
   */
  receivedAt?: number;
  senderName: string | null;
  /** In a group chat, who wrote: their WhatsApp id (…@c.us or …@lid). Absent elsewhere and in events recorded before groups were relayed. */
  author?: string | null;
}

/** An agent's reply in Chatwoot, to go to the driver on WhatsApp. */
export interface AgentReply {
  kind: 'outbound';
  /** Chatwoot message id — the dedupe key. */
  chatwootMessageId: number;
  conversationId: number;
  text: string | null;
  attachments: Array<{ dataUrl: string; fileType: string; contentType: string | null; fileSize: number | null }>;
  /** The WhatsApp id of the message this one replies to, when the agent replied to one. */
  quotedWhatsappId: string | null;
  /** The agent's name as Chatwoot shows it, for the signature (BRIDGE_AGENT_SIGNATURE); null or absent (replies handed over before it): none. */
  agentName?: string | null;
  /** When the bridge received it (ms since the epoch), stamped by the hand-off: the relay's latency is measured from it. */
  receivedAt?: number;
  /**
   * Set when the agent retried the reply in Chatwoot (its `message_updated`): sent once more only
   * if WhatsApp never got it. The ref tells one retry from another (each passes the workflow's dedupe).
   */
  retry?: string;
}

/** The driver reacted to a message of the chat (WPPConnect `onreactionmessage`); an empty emoji takes the reaction back. */
export interface DriverReaction {
  kind: 'reaction';
  /** The reaction's own id: the driver's reactions to one message share it. */
  reactionId: string;
  /** The message reacted to. */
  targetWhatsappId: string;
  emoji: string;
  /** When WhatsApp stamped it (ms): the same reaction given again after being taken back is a new event. */
  at: number;
}

/** The driver deleted a message for everyone (WPPConnect `onrevokedmessage`). */
export interface DriverDeletion {
  kind: 'revoke';
  /** The message deleted. */
  targetWhatsappId: string;
}

/** An agent deleted their reply in Chatwoot (`message_updated` with `content_attributes.deleted`). */
export interface AgentDeletion {
  kind: 'agent-deletion';
  chatwootMessageId: number;
  conversationId: number;
}

export interface DeliveryAck {
  kind: 'ack';
  whatsappId: string;
  /** WPPConnect ack: -1 failed … 1 sent, 2 delivered, 3 read, 4 played. */
  ack: number;
}

/**
 * What people do around the bot: an agent took the conversation (assignment), resolved it, or told
 * the bot to resume (a private note `/bot`); or a reviewer asked the driver to correct their
 * registration (`ask-correction`, from the registration's workflow: the bot asks for the items in
 * the chat). The ref makes a redelivered webhook, or a retried request, the same event.
 */
export interface ConversationControl {
  kind: 'control';
  control: 'assigned' | 'resolved' | 'resume-bot' | 'ask-correction';
  ref: string;
}

export type ChatEvent = InboundMessage | AgentReply | DeliveryAck | ConversationControl | DriverReaction | DriverDeletion | AgentDeletion;

/** The WhatsApp message an event is about, when it is about an earlier one: it waits for that one (webhooks race). */
export const targetOf = (event: ChatEvent): string | null => (event.kind === 'reaction' || event.kind === 'revoke' ? event.targetWhatsappId : null);

/** A Chatwoot message takes at most this many attachments, so an agent's reply is at most this many WhatsApp messages. */
export const replyPartsMax = 15;

/** The delivery key of one WhatsApp message an agent's reply became (its text, or each of its files). */
export const agentReplyDeliveryKey = (chatId: string, chatwootMessageId: number, part: number) => `agent:${chatId}:${chatwootMessageId}:${part}`;

/** Every delivery key an agent's reply could have. */
export const agentReplyDeliveryKeys = (chatId: string, chatwootMessageId: number) =>
  Array.from({ length: replyPartsMax }, (_, part) => agentReplyDeliveryKey(chatId, chatwootMessageId, part));

/**
 * How long after sending WhatsApp lets a message be deleted for everyone ("about 2 days", WhatsApp's
 * help centre): past it, an agent's deletion stays in Chatwoot and the agent is told.
 */
export const whatsappDeleteForEveryoneHours = 48;

/** The dedupe key of a driver's message (`eventKey` of its inbound event). */
export const inboundEventKey = (whatsappId: string) => `wa:${whatsappId}`;

/** The business id an event is deduplicated by (acks are keyed by id and level, so a higher ack still passes). */
export function eventKey(event: ChatEvent): string {
  switch (event.kind) {
    case 'inbound':
      return inboundEventKey(event.whatsappId);
    case 'outbound':
      return event.retry === undefined ? `cw:${event.chatwootMessageId}` : `cw:${event.chatwootMessageId}:retry:${event.retry}`;
    case 'ack':
      return `ack:${event.whatsappId}:${event.ack}`;
    case 'control':
      return `ctl:${event.control}:${event.ref}`;
    case 'reaction':
      return `re:${event.reactionId}:${event.at}:${event.emoji}`;
    case 'revoke':
      return `rv:${event.targetWhatsappId}`;
    case 'agent-deletion':
      return `cw-del:${event.chatwootMessageId}`;
  }
}

/** `audio/ogg; codecs=opus` → `audio/ogg`: storage and Chatwoot take the bare media type. */
export const bareMediaType = (mimetype: string) => mimetype.split(';')[0]!.trim().toLowerCase();

/**
 * The `source_id`s the system gives what it posts in Chatwoot. Webhooks carry them back, so the
 * system knows its own messages and never sends them to WhatsApp again; a retry finds its earlier post by them.
 */
export const chatwootSourceId = {
  /** A driver's WhatsApp message, relayed. */
  driverMessage: (whatsappId: string) => `wa:${whatsappId}`,
  /** A message of the bot's, mirrored, or the bot's note for agents. */
  bot: (key: string) => `bot:${key}`,
  /** A registration's note for agents. */
  registrationNote: (registrationId: string, round: number, stage: string) => `reg:${registrationId}:${round}:${stage}`,
  /** The note for agents about a driver's file that could not be attached. */
  mediaNote: (whatsappId: string) => `note:file:${whatsappId}`,
  /** The note for agents about a reply WhatsApp refused. */
  undeliveredNote: (chatwootMessageId: number) => `note:undelivered:${chatwootMessageId}`,
  /** A driver's reaction (or its removal), shown against the message reacted to. */
  reaction: (reactionId: string, at: number, emoji: string) => `note:reaction:${reactionId}:${at}:${emoji}`,
  /** The note that the driver deleted a message for everyone (the original stays). */
  revokedNote: (whatsappId: string) => `note:revoked:${whatsappId}`,
  /** A history import's note (started, progress, finished) for one run. */
  historyNote: (run: string, stage: string) => `note:history:${run}:${stage}`,
  /** The note about an agent's deletion WhatsApp no longer allows. */
  undeletableNote: (chatwootMessageId: number) => `note:undeletable:${chatwootMessageId}`,
};
const systemSourcePrefixes = ['wa:', 'bot:', 'reg:', 'note:'];

/** Whether a Chatwoot message was posted by this system (its `source_id`). */
export const postedBySystem = (sourceId: string | null | undefined) => systemSourcePrefixes.some((prefix) => (sourceId ?? '').startsWith(prefix));

/** The WhatsApp id of a relayed driver message, from its Chatwoot `source_id` (what agents' replies quote). */
export const whatsappIdOfSourceId = (sourceId: string | null | undefined) => (sourceId?.startsWith('wa:') === true ? sourceId.slice(3) : null);

/** A WhatsApp chat id with its server: digits@c.us, digits@lid or id@g.us (what WPPConnect names chats by). */
export const isWhatsAppChatId = (chatId: string) => /^[\d-]{5,40}@(c\.us|lid|g\.us)$/.test(chatId);

/** A group chat's id (id@g.us): it has no phone, and messages to it are sent to the group itself. */
export const isGroupChatId = (chatId: string) => /^[\d-]{5,40}@g\.us$/.test(chatId);

/** A keyed hash of a value: the system's blind index (platform/crypto/personal-data.ts). */
export interface BlindIndex {
  index(kind: 'chat', value: string): string;
}

/**
 * The chat's workflow id (Temporal): a keyed hash of its WhatsApp id, which holds the phone, so
 * Temporal's ids and lists name no one (`npm run find-chat` goes from a phone to it). The key
 * outlives master key rotations, so a chat's id never changes.
 */
export const chatWorkflowId = (keys: BlindIndex, chatId: string) => `whatsapp-chat-${keys.index('chat', chatId)}`;

/** A chat's workflow id before ids were keyed hashes (it named the phone): an erasure ends a chat still running under it. */
export const legacyChatWorkflowId = (chatId: string) => `whatsapp-chat-${chatId}`;

/** A chat's history import by the chat's keyed hash (its first, and any an operator runs for it later: one at a time). */
export const historyImportWorkflowIdOfIndex = (chatIndex: string) => `whatsapp-chat-${chatIndex}-history`;

/** A chat's history import. */
export const historyImportWorkflowId = (keys: BlindIndex, chatId: string) => historyImportWorkflowIdOfIndex(keys.index('chat', chatId));

/** The backfill of every chat's history an operator runs (one at a time). */
export const allHistoryImportWorkflowId = 'whatsapp-history-all-chats';

/**
 * The chat's keyed hash a chat's workflow id, or its history import's, carries (their payloads are
 * sealed with the chat's key); undefined for another workflow (or a chat's former id, which named it).
 */
export const chatIndexOfWorkflowId = (workflowId: string): string | undefined => /^whatsapp-chat-([A-Za-z0-9_-]{43})(?:-history)?$/.exec(workflowId)?.[1];

/**
 * The one-to-one chat of a phone as an operator types it: a Portuguese number in any form the intake
 * takes, or any international one with its country code (`+55 11 9…`, `0044…`); null when it is not one.
 */
export function chatIdOfPhone(typed: string): string | null {
  const portuguese = parsePortuguesePhone(typed);
  if (portuguese.ok) return `${whatsAppDigits(portuguese.value)}@c.us`;
  const compact = typed.replace(/[\s().-]/g, '').replace(/^00/, '+');
  return /^\+[1-9]\d{7,14}$/.test(compact) ? `${compact.slice(1)}@c.us` : null;
}

/** The Chatwoot contact and conversation a chat is relayed into. */
export interface ChatwootLink {
  contactId: number;
  conversationId: number;
}

/** What relaying one batch of a chat's events tells its workflow. */
export interface RelayResult {
  chatwoot: ChatwootLink | null;
  /** Someone wrote to this chat from the company phone itself: people are talking, the bot steps back. */
  companyPhone: boolean;
  /**
   * Which of the batch's receipts were for messages typed on the company phone, so the bot steps
   * back at that point of the batch, not before its other events. Absent in results recorded
   * before it was added (the bot then stepped back for the whole batch).
   */
  companyPhoneMessages?: string[];
  /** This batch opened a new Chatwoot conversation (the bot may greet every new conversation). */
  newConversation: boolean;
  /**
   * The registration bot's settings from the worker's configuration (null: no bot), so every chat
   * follows the configuration from its next event. Absent in results recorded before it was added.
   */
  bot?: BotSettings | null;
}

/** A chat's queue is full (its workflow set `ChatQueueFull`): its driver's messages are refused for now, and fetched by polling later. */
export class ChatQueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('This chat has too many messages waiting to be relayed; try again later');
    this.name = 'ChatQueueFullError';
  }
}
