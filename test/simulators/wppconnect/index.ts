/**
 * A stand-in for WPPConnect Server v2.10.4 (CONTRACTS.md §2) for end-to-end tests
 * and the newcomers' sandbox. It answers what the real server answers, including
 * its Portuguese errors, and POSTs its webhooks; when a client disagrees with it,
 * fix the client.
 */
import { buildWppConnectApp } from './app.ts';
import type { WppFaults } from './faults.ts';
import { contactId, incomingMessage, type IncomingInput } from './incoming.ts';
import { receive, type ReceivedMessage } from './receive.ts';
import type { ConnectionState, DeletionRecord, RequestRecord, SentRecord, SimChat, TypingRecord, WebhookDelivery } from './state.ts';
import { chatOf, createSimulatorState, findMessage } from './state.ts';
import { idParts, newMessageKey, outgoingText } from './messages.ts';
import { revoke } from './routes/message-actions.ts';

export type { FaultStatus, WppFaults } from './faults.ts';
export type { IncomingInput, IncomingType } from './incoming.ts';
export type { ReceivedMessage } from './receive.ts';
export type { WaMessage } from './messages.ts';
export type { ConnectionState, DeletionRecord, RequestRecord, SentRecord, SimChat, TypingRecord, WebhookDelivery } from './state.ts';

export interface WppConnectSimulator {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** The current SECRET_KEY. */
  readonly secretKey: string;
  session: string;
  /** Everything successfully sent, in order (media sends with type, filename, caption, size, sha256). */
  sent: ReadonlyArray<SentRecord>;
  /** Every answered request, in order (route patterns, so no secrets). */
  requests: ReadonlyArray<RequestRecord>;
  /** Every webhook POST attempted or skipped, in order. */
  webhookDeliveries: ReadonlyArray<WebhookDelivery>;
  /** Every chat as WhatsApp holds it, messages oldest first with their acks as they stand (to read, not to change). */
  chats(): ReadonlyArray<Readonly<SimChat>>;
  faults: WppFaults;
  /** Digits; sending to them gives the real 400 "O número … não existe." */
  setUnknownNumbers(phones: string[]): void;
  /**
   * true: CONNECTED; false: CLOSED, and send and read routes answer the real 404 "A sessão do WhatsApp
   * não está ativa." No webhook either way (the controls below send the server's).
   */
  setConnected(connected: boolean): void;
  /** The session's state: CONNECTED, CLOSED, INITIALIZING (a start that failed), QRCODE or PHONE_OFFLINE. */
  connection(): ConnectionState;
  /*
   * The session controls below change the state when called (and throw at once in a state they do not
   * start from), then POST their webhooks after any session webhooks before them, in order; the promise
   * resolves once they were attempted.
   */
  /**
   * WhatsApp Web asks for a pairing (from any state but INITIALIZING): QRCODE with a new QR each call;
   * POSTs `status-find` notLogged, then `qrcode` (base64 PNG, urlcode). Resolves with the QR.
   */
  requireQr(): Promise<{ urlcode: string; png: Buffer }>;
  /** The phone scans the pending QR (QRCODE only): `status-find` qrReadSuccess, CONNECTED, `status-find` inChat. */
  scanQr(): Promise<void>;
  /** The paired phone goes offline (CONNECTED only): PHONE_OFFLINE, `status-find` phoneNotConnected. */
  phoneOffline(): Promise<void>;
  /** The phone is back (PHONE_OFFLINE only): CONNECTED, `status-find` inChat. */
  phoneOnline(): Promise<void>;
  /** The phone logs the session out (CONNECTED or PHONE_OFFLINE): the server closes it, CLOSED, `status-find` disconnectedMobile. */
  disconnectMobile(): Promise<void>;
  /** The session's start failed in the browser: INITIALIZING for good (until close-session), no webhook. */
  failStart(): void;
  /** As if the server restarted with another SECRET_KEY: every token issued so far stops working. */
  setSecretKey(secretKey: string): void;
  /** The session's webhook, as a (re)started session with this `webhook` would have; undefined: the global one. */
  setWebhookUrl(url: string | undefined): void;
  /** webhook.autoDownload (default true): media `body` in webhooks is the whole file; false: WhatsApp's preview. */
  setAutoDownload(enabled: boolean): void;
  /** webhook.readMessage (default true): the chat is read as soon as a message's webhook is answered; false: only send-seen or a send reads it. */
  setReadMessage(enabled: boolean): void;
  /**
   * A message from a phone: stored in its chat, then POSTed as `onmessage` without waiting, as the real
   * server does (messages in quick succession are POSTed concurrently). Resolves once the message is in
   * WhatsApp; `delivered` settles once its POST ended (or `settled()` for every webhook so far).
   */
  receive(input: IncomingInput): Promise<ReceivedMessage>;
  /**
   * Someone types on the company's phone itself (not through the API): the message lands in the chat
   * and, as for any message sent from the paired phone, only its acks reach the webhook (`onmessage`
   * never fires for own messages; `onselfmessage` is off by default).
   */
  typedOnCompanyPhone(input: { to: string; body: string }): { id: string };
  /**
   * What the chat held on the phone before the bridge was there: messages from the driver (`fromMe`
   * false) and typed on the company's phone, at their times, already read. They go in the chat in
   * time order (get-messages returns them) and no webhook is POSTed: they happened before it was set.
   */
  history(input: { chat: string; messages: ReadonlyArray<{ fromMe?: boolean; body: string; at: Date }> }): { ids: string[] };
  /**
   * The driver reacts to a message of their chat (theirs or ours) with an emoji, '' taking it back:
   * POSTed as `onreactionmessage` (CONTRACTS.md §2.5) without waiting; `delivered` settles once it was.
   */
  react(input: { messageId: string; emoji: string }): { id: string; delivered: Promise<void> };
  /**
   * The driver deletes one of their messages for everyone: it becomes a "revoked" notice in the chat,
   * and `onrevokedmessage` is POSTed (`refId` the message, `id` the notice's own).
   */
  revoke(messageId: string): { delivered: Promise<void> };
  /** The file of a media message sent through the API (to decode what the driver's phone got); undefined for any other. */
  sentMedia(messageId: string): { bytes: Buffer; mimetype: string } | undefined;
  /** Every delete-message call, in order. */
  deletions: ReadonlyArray<DeletionRecord>;
  /** Every typing call, in order. */
  typing: ReadonlyArray<TypingRecord>;
  /** WhatsApp gives up on a message we sent (ack -1, failed), POSTed as `onack`. */
  failDelivery(messageId: string): Promise<void>;
  /** The recipient read a message we sent: ack 3, POSTed as `onack`. */
  markRead(messageId: string): Promise<void>;
  /** A contact WhatsApp shows by LID: pn-lid maps `lid` and the phone both ways. */
  registerLid(lid: string, phoneDigits: string): void;
  /** Resolves when every webhook started or scheduled so far (acks included) has been attempted. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface WppConnectSimulatorOptions {
  port?: number;
  host?: string;
  /** Default THISISMYSECURETOKEN, the server's own default. */
  secretKey?: string;
  /** Default "bridge". */
  session?: string;
  /** The server-wide WEBHOOK_URL; a start-session `webhook` wins over it. Default: none. */
  webhookUrl?: string;
  /** Delay before ack 1, and again before ack 2, after each send. Default 50; null: no acks. */
  ackDelayMs?: number | null;
  /** WhatsApp's clock for message timestamps (seconds resolution). Default: the real clock. */
  now?: () => Date;
}

export async function startWppConnectSimulator(opts: WppConnectSimulatorOptions = {}): Promise<WppConnectSimulator> {
  const state = createSimulatorState({
    session: opts.session ?? 'bridge',
    secretKey: opts.secretKey ?? 'THISISMYSECURETOKEN',
    ...(opts.webhookUrl === undefined ? {} : { webhookUrl: opts.webhookUrl }),
    ...(opts.ackDelayMs === undefined ? {} : { ackDelayMs: opts.ackDelayMs }),
    ...(opts.now === undefined ? {} : { now: opts.now }),
  });
  const closing = new AbortController();
  const { app, webhooks, lifecycle } = buildWppConnectApp(state, closing.signal);
  const url = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });

  return {
    url,
    get secretKey() {
      return state.secretKey;
    },
    session: state.session,
    sent: state.sent,
    sentMedia: (messageId) => (state.sent.some((record) => record.id === messageId) ? state.media.get(messageId) : undefined),
    deletions: state.deletions,
    typing: state.typing,
    requests: state.requests,
    webhookDeliveries: state.webhookDeliveries,
    chats: () => [...state.chats.values()],
    faults: state.faults,
    setUnknownNumbers(phones) {
      state.unknownNumbers.clear();
      for (const phone of phones) state.unknownNumbers.add(phone.replace(/\D/g, ''));
    },
    setConnected(connected) {
      lifecycle.set(connected ? 'CONNECTED' : 'CLOSED');
    },
    connection: () => state.connection,
    requireQr: () => lifecycle.requireQr(),
    scanQr: () => lifecycle.scanQr(),
    phoneOffline: () => lifecycle.phoneOffline(),
    phoneOnline: () => lifecycle.phoneOnline(),
    disconnectMobile: () => lifecycle.disconnectMobile(),
    failStart: () => lifecycle.failStart(),
    setSecretKey(secretKey) {
      state.secretKey = secretKey;
    },
    setWebhookUrl(webhookUrl) {
      state.sessionWebhook = webhookUrl;
      state.sessionConfigured = true;
    },
    setAutoDownload(enabled) {
      state.autoDownload = enabled;
    },
    setReadMessage(enabled) {
      state.readMessage = enabled;
    },
    receive: async (input) => receive(state, webhooks, input),
    typedOnCompanyPhone({ to, body }) {
      const chatId = to.includes('@') ? to : `${to.replace(/\D/g, '')}@c.us`;
      const message = outgoingText({ ownId: state.ownId, chatId, body, at: state.now() });
      const chat = chatOf(state, chatId);
      chat.messages.push(message);
      chat.unreadCount = 0;
      webhooks.scheduleAcks(message.id);
      return { id: message.id };
    },
    history({ chat: chatInput, messages }) {
      const chatId = contactId(chatInput);
      const chat = chatOf(state, chatId);
      const stored = messages.map(({ fromMe, body, at }) => (fromMe === true
        ? { ...outgoingText({ ownId: state.ownId, chatId, body, at }), ack: 3 }
        : incomingMessage(state, { from: chatId, body }, at)));
      chat.messages.push(...stored);
      chat.messages.sort((a, b) => a.timestamp - b.timestamp);
      return { ids: stored.map((message) => message.id) };
    },
    react({ messageId, emoji }) {
      const target = findMessage(state, messageId);
      if (target === undefined) throw new Error(`react: no message ${messageId}`);
      // The reaction's own id: from the driver (false_), in the chat of the message reacted to.
      const id = `false_${target.chatId}_${newMessageKey()}`;
      const data = { id, msgId: target.id, reactionText: emoji, read: false, orphan: 0, orphanReason: null, timestamp: state.now().getTime() };
      return { id, delivered: webhooks.aboutMessage('onreactionmessage', data, target.id) };
    },
    revoke(messageId) {
      const target = findMessage(state, messageId);
      if (target === undefined || target.fromMe) throw new Error(`revoke: ${messageId} is not a message the driver sent`);
      revoke(target);
      const { remote } = idParts(target.id);
      const data = { from: remote, to: state.ownId, id: `false_${remote}_${newMessageKey()}`, refId: target.id };
      return { delivered: webhooks.aboutMessage('onrevokedmessage', data, target.id) };
    },
    async failDelivery(messageId) {
      if (findMessage(state, messageId)?.fromMe !== true) throw new Error(`failDelivery: ${messageId} is not a message we sent`);
      await webhooks.fail(messageId);
    },
    async markRead(messageId) {
      if (findMessage(state, messageId)?.fromMe !== true) throw new Error(`markRead: ${messageId} is not a message we sent`);
      await webhooks.ack(messageId, 3);
    },
    registerLid(lid, phoneDigits) {
      const lidId = lid.endsWith('@lid') ? lid : `${lid}@lid`;
      const phoneId = `${phoneDigits.replace(/\D/g, '')}@c.us`;
      state.lidToPhone.set(lidId, phoneId);
      state.phoneToLid.set(phoneId, lidId);
    },
    settled: () => webhooks.settled(),
    async close() {
      closing.abort();
      await webhooks.settled();
      await app.close();
    },
  };
}
