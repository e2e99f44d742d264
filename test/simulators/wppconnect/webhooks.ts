/**
 * The server's callWebHook: a plain JSON POST of `{event, session, ...data}` to the
 * session's webhook (else the global one), with no auth header, no signature, no
 * timeout to speak of and no retry: a failure is only logged (here: recorded in
 * `webhookDeliveries`). With autoDownload the media message's `body` is replaced by
 * the whole file in raw base64 first; after a 2xx for `onmessage` the chat is marked
 * read (webhook.readMessage). Message deliveries are not queued: two events in quick
 * succession are POSTed concurrently, as by the server; session events, seconds apart
 * on a real server, go out one after another.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { hasMedia } from './media.ts';
import type { WaMessage } from './messages.ts';
import { idObject } from './messages.ts';
import type { SimulatorState, WebhookDelivery } from './state.ts';
import { findMessage } from './state.ts';

type Payload = Record<string, unknown> & { from?: unknown };

const IGNORED_FROM = 'status@broadcast';
const READ_AFTER = new Set(['onmessage', 'unreadmessages']);

export class WebhookSender {
  private readonly pending = new Set<Promise<void>>();
  private sessionEvents: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: SimulatorState,
    private readonly closing: AbortSignal,
  ) {}

  /** POSTs a message event (onmessage) for `message`; resolves once the attempt(s) ended. */
  message(event: string, message: WaMessage): Promise<void> {
    return this.track(this.deliver(event, this.withMedia({ ...message }, message.id), message.id, message.chatId));
  }

  /** POSTs an event about a message (onreactionmessage, onrevokedmessage) without waiting, as message events go. */
  aboutMessage(event: string, data: Payload, messageId: string): Promise<void> {
    return this.track(this.deliver(event, data, messageId, undefined));
  }

  /**
   * POSTs a session event (status-find, qrcode, closesession, logoutsession) once the session events
   * before it were attempted: on the real server they come seconds apart, so they arrive in order.
   * Resolves once its own attempt(s) ended.
   */
  session(event: string, data: Payload): Promise<void> {
    const work = this.track(this.sessionEvents.then(() => this.deliver(event, data, undefined, undefined)));
    this.sessionEvents = work;
    return work;
  }

  /** Sets a message's ack (it only ever rises) and POSTs onack with the id as an object. */
  ack(messageId: string, ack: number): Promise<void> {
    const message = findMessage(this.state, messageId);
    if (message === undefined || message.ack >= ack) return Promise.resolve();
    message.ack = ack;
    return this.postAck(message);
  }

  /** The message failed (ack -1): the one way an ack goes down. */
  fail(messageId: string): Promise<void> {
    const message = findMessage(this.state, messageId);
    if (message === undefined || message.ack < 0) return Promise.resolve();
    message.ack = -1;
    return this.postAck(message);
  }

  private postAck(message: WaMessage): Promise<void> {
    const data = this.withMedia({ ...message, id: idObject(message.id) }, message.id);
    return this.track(this.deliver('onack', data, message.id, undefined));
  }

  /**
   * After a send: onack 1 (sent), then ack 2 (delivered), `ackDelayMs` apart. The
   * message already is at ack 1 when the send answers (wa-js waits for it); the
   * event for that change reaches the webhook on its own time, here after the answer.
   */
  scheduleAcks(messageId: string): void {
    const delay = this.state.ackDelayMs;
    if (delay === null) return;
    const run = async () => {
      await sleep(delay, undefined, { signal: this.closing });
      const message = findMessage(this.state, messageId);
      if (message?.ack === 1) await this.postAck(message);
      await sleep(delay, undefined, { signal: this.closing });
      await this.ack(messageId, 2);
    };
    void this.track(run().catch(() => undefined));
  }

  /** Resolves when every delivery started or scheduled so far has ended. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>): Promise<void> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return work;
  }

  /** autoDownload: the copy that is posted carries the whole file; the chat keeps its preview. */
  private withMedia(data: Payload, messageId: string): Payload {
    const file = this.state.media.get(messageId);
    const message = findMessage(this.state, messageId);
    if (this.state.autoDownload && file !== undefined && message !== undefined && hasMedia(message)) {
      data.body = file.bytes.toString('base64');
    }
    return data;
  }

  private async deliver(event: string, data: Payload, messageId: string | undefined, chatToRead: string | undefined): Promise<void> {
    const { state } = this;
    const url = state.sessionWebhook ?? state.globalWebhook;
    if (url === undefined || data.from === IGNORED_FROM) return;
    const record = (entry: Omit<WebhookDelivery, 'event' | 'url' | 'messageId' | 'at'>) =>
      state.webhookDeliveries.push({ event, url, ...(messageId === undefined ? {} : { messageId }), at: new Date(), ...entry });
    if (state.faults.down || state.faults.webhookDown) {
      record({ outcome: 'skipped', error: state.faults.down ? 'server down' : 'webhook unreachable (fault)' });
      return;
    }
    const payload = JSON.stringify({ event, session: state.session, ...data });
    const delay = state.faults.webhookDelayMs;
    if (delay > 0) await sleep(delay, undefined, { signal: this.closing }).catch(() => undefined);
    const attempts = state.faults.duplicateWebhooks ? 2 : 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/plain, */*' },
          body: payload,
          signal: AbortSignal.any([this.closing, AbortSignal.timeout(30_000)]),
        });
        await response.arrayBuffer();
        const ok = response.status >= 200 && response.status < 300;
        record({ outcome: ok ? 'delivered' : 'failed', status: response.status });
        if (ok && chatToRead !== undefined && READ_AFTER.has(event) && state.readMessage) {
          const chat = state.chats.get(chatToRead);
          if (chat !== undefined) chat.unreadCount = 0;
        }
      } catch (error) {
        record({ outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}
