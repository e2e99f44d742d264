/**
 * Everything the simulated server knows. Routes read and change it; the public
 * handle in index.ts exposes parts of it to tests.
 */
import { WppFaultSwitches } from './faults.ts';
import type { WaMessage } from './messages.ts';

export interface SentRecord {
  id: string;
  /** Digits, e.g. 351912345678 (the LID's digits for an @lid recipient). */
  phone: string;
  /** The text, or the caption of a media message ('' when none). */
  body: string;
  at: Date;
  /** Only on replies: the quoted message id. */
  quotedMsgId?: string;
  /** Only on media sends: the WhatsApp message type (image, video, audio, ptt, document). */
  type?: string;
  filename?: string;
  caption?: string;
  mimetype?: string;
  /** Length of the decoded file, in bytes. */
  size?: number;
  /** Hex SHA-256 of the decoded file. */
  sha256?: string;
}

/** A delete-message call: for everyone (the message is revoked) or for the company's phone alone. */
export interface DeletionRecord {
  messageId: string;
  chatId: string;
  forEveryone: boolean;
  at: Date;
}

/** A typing call: "typing…" on or off in a chat. */
export interface TypingRecord {
  chatId: string;
  typing: boolean;
  at: Date;
}

export interface RequestRecord {
  method: string;
  /** The route pattern, e.g. /api/:session/send-message (never the secret in the URL). */
  route: string;
  status: number;
  /** When it was answered (ms since the epoch). */
  at: number;
}

export interface WebhookDelivery {
  event: string;
  url: string;
  /** The message the event is about (onmessage, onack). */
  messageId?: string;
  /** delivered: 2xx; failed: another status or a network error (logged, never retried); skipped: a fault. */
  outcome: 'delivered' | 'failed' | 'skipped';
  status?: number;
  error?: string;
  at: Date;
}

export interface SimChat {
  id: string;
  isGroup: boolean;
  /** Oldest first. */
  messages: WaMessage[];
  /** Incoming messages since the chat was last read (a successful onmessage webhook, send-seen or a send reads it). */
  unreadCount: number;
}

export interface StoredMedia {
  bytes: Buffer;
  mimetype: string;
}

/**
 * The session as the simulated server holds it (CONTRACTS.md §2.2). PHONE_OFFLINE is not one of
 * the server's statuses: its browser client is up and paired, and it reports CONNECTED.
 */
export type ConnectionState = 'CONNECTED' | 'CLOSED' | 'INITIALIZING' | 'QRCODE' | 'PHONE_OFFLINE';

/** A QR waiting for a scan: WhatsApp's `2@…` string and its picture. */
export interface PendingQr {
  urlcode: string;
  png: Buffer;
}

export interface SimulatorState {
  /** The one session that can be started and paired with a phone; other names are valid but never started. */
  readonly session: string;
  secretKey: string;
  connection: ConnectionState;
  /** The QR waiting for a scan (QRCODE only). */
  qr: PendingQr | undefined;
  /** The running client's last QR string, kept after the scan (status-session shows it); cleared on close. */
  urlcode: string | undefined;
  /** The paired phone's own WhatsApp id. */
  readonly ownId: string;
  readonly unknownNumbers: Set<string>;
  /** chatId (e.g. 351912345678@c.us, 123456789012345@lid) -> the chat. */
  readonly chats: Map<string, SimChat>;
  /** Decrypted media by message id (what download-media answers). */
  readonly media: Map<string, StoredMedia>;
  /** lid (…@lid) <-> phone id (…@c.us), both directions. */
  readonly lidToPhone: Map<string, string>;
  readonly phoneToLid: Map<string, string>;
  /** Push names of contacts who wrote to us, by their id. */
  readonly pushnames: Map<string, string>;
  /** The session's own webhook (start-session `webhook`), which wins over the server-wide one. */
  sessionWebhook: string | undefined;
  /** The server-wide WEBHOOK_URL. */
  readonly globalWebhook: string | undefined;
  /** True once a start-session call configured the running session: later calls leave its config alone. */
  sessionConfigured: boolean;
  /** webhook.autoDownload (default true). */
  autoDownload: boolean;
  /** webhook.readMessage (default true): a chat is read once its onmessage webhook was answered 2xx. */
  readMessage: boolean;
  /** After a send, ack 1 then ack 2 are posted this many ms apart; null: never. */
  ackDelayMs: number | null;
  /** WhatsApp's clock, for message timestamps. */
  readonly now: () => Date;
  readonly sent: SentRecord[];
  readonly deletions: DeletionRecord[];
  readonly typing: TypingRecord[];
  readonly requests: RequestRecord[];
  readonly webhookDeliveries: WebhookDelivery[];
  readonly faults: WppFaultSwitches;
}

export const SERVER_VERSION = '2.10.4';

export interface StateOptions {
  session: string;
  secretKey: string;
  webhookUrl?: string;
  ackDelayMs?: number | null;
  now?: () => Date;
}

export function createSimulatorState(options: StateOptions): SimulatorState {
  return {
    session: options.session,
    secretKey: options.secretKey,
    connection: 'CONNECTED',
    qr: undefined,
    urlcode: undefined,
    ownId: '351930000000@c.us',
    unknownNumbers: new Set(),
    chats: new Map(),
    media: new Map(),
    lidToPhone: new Map(),
    phoneToLid: new Map(),
    pushnames: new Map(),
    sessionWebhook: undefined,
    globalWebhook: options.webhookUrl,
    sessionConfigured: false,
    autoDownload: true,
    readMessage: true,
    ackDelayMs: options.ackDelayMs === undefined ? 50 : options.ackDelayMs,
    now: options.now ?? (() => new Date()),
    sent: [],
    deletions: [],
    typing: [],
    requests: [],
    webhookDeliveries: [],
    faults: new WppFaultSwitches(),
  };
}

/** The chat with this id, created empty when new. */
export function chatOf(state: SimulatorState, chatId: string): SimChat {
  let chat = state.chats.get(chatId);
  if (chat === undefined) {
    chat = { id: chatId, isGroup: chatId.endsWith('@g.us'), messages: [], unreadCount: 0 };
    state.chats.set(chatId, chat);
  }
  return chat;
}

export function findMessage(state: SimulatorState, messageId: string): WaMessage | undefined {
  for (const chat of state.chats.values()) {
    const found = chat.messages.find((message) => message.id === messageId);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The session name in the path, without the optional `:token` suffix. */
export function sessionName(pathSession: string): string {
  return pathSession.split(':')[0] ?? '';
}

const WITH_CLIENT: ReadonlySet<ConnectionState> = new Set(['CONNECTED', 'PHONE_OFFLINE', 'QRCODE']);

/**
 * The session has a browser client: all that check-connection-session and the check before every
 * send and read can see (CONTRACTS.md §2.2), whether or not the phone is paired and online.
 */
export function hasClient(state: SimulatorState, session: string): boolean {
  return session === state.session && WITH_CLIENT.has(state.connection);
}
