/**
 * The session's life (CONTRACTS.md §2.2) and the webhooks each change sends (§2.5): a start shows
 * a QR, a scan connects, the phone goes offline and back or logs the session out, a start may get
 * stuck, close-session and logout-session end it. A control changes the state when called (one
 * called in the wrong state throws at once), then POSTs its events in order after any session
 * events before them; its promise resolves once they were attempted. The routes do not wait for
 * theirs, as the server's callWebHook is not awaited.
 */
import { newQr } from './qr.ts';
import type { ConnectionState, PendingQr, SimulatorState } from './state.ts';
import type { WebhookSender } from './webhooks.ts';

export type CloseEvent = 'closesession' | 'logoutsession';

export class SessionLifecycle {
  constructor(
    private readonly state: SimulatorState,
    private readonly webhooks: WebhookSender,
  ) {}

  /** The browser shows a new QR: state QRCODE and the `qrcode` webhook (base64 PNG without prefix, urlcode). */
  showQr(): { qr: PendingQr; posted: Promise<void> } {
    const qr = newQr();
    this.state.connection = 'QRCODE';
    this.state.qr = qr;
    this.state.urlcode = qr.urlcode;
    const posted = this.webhooks.session('qrcode', { qrcode: qr.png.toString('base64'), urlcode: qr.urlcode });
    return { qr, posted };
  }

  /** WhatsApp Web asks for a pairing: `status-find` notLogged, then a new QR. */
  requireQr(): Promise<PendingQr> {
    this.expect('requireQr', ['CLOSED', 'QRCODE', 'CONNECTED', 'PHONE_OFFLINE']);
    void this.statusFind('notLogged');
    const { qr, posted } = this.showQr();
    return posted.then(() => qr);
  }

  /** The phone scanned the QR: `status-find` qrReadSuccess, then inChat; the session is CONNECTED. */
  scanQr(): Promise<void> {
    this.expect('scanQr', ['QRCODE']);
    this.state.connection = 'CONNECTED';
    this.state.qr = undefined;
    void this.statusFind('qrReadSuccess');
    return this.statusFind('inChat');
  }

  phoneOffline(): Promise<void> {
    this.expect('phoneOffline', ['CONNECTED']);
    this.state.connection = 'PHONE_OFFLINE';
    return this.statusFind('phoneNotConnected');
  }

  phoneOnline(): Promise<void> {
    this.expect('phoneOnline', ['PHONE_OFFLINE']);
    this.state.connection = 'CONNECTED';
    return this.statusFind('inChat');
  }

  /** The phone logged the session out; the server closes it (its own close: no closesession). */
  disconnectMobile(): Promise<void> {
    this.expect('disconnectMobile', ['CONNECTED', 'PHONE_OFFLINE']);
    this.reset('CLOSED');
    return this.statusFind('disconnectedMobile');
  }

  /** A start whose browser failed: INITIALIZING for good, no webhook. */
  failStart(): void {
    this.reset('INITIALIZING');
  }

  /**
   * close-session or logout-session. A running client closes and its event is POSTed; a stuck
   * start fails to close (false) but is reset; a closed session stays closed.
   */
  close(event: CloseEvent): boolean {
    const before = this.state.connection;
    this.reset('CLOSED');
    if (before === 'INITIALIZING') return false;
    if (before !== 'CLOSED') {
      void this.webhooks.session(event, { message: `Session: ${this.state.session} disconnected`, connected: false });
    }
    return true;
  }

  /** setConnected(): straight to CONNECTED or CLOSED, without webhooks. */
  set(connection: 'CONNECTED' | 'CLOSED'): void {
    if (connection === 'CLOSED') {
      this.reset('CLOSED');
    } else {
      this.state.connection = 'CONNECTED';
      this.state.qr = undefined;
    }
  }

  private reset(connection: ConnectionState): void {
    this.state.connection = connection;
    this.state.qr = undefined;
    this.state.urlcode = undefined;
  }

  private statusFind(status: string): Promise<void> {
    return this.webhooks.session('status-find', { status });
  }

  private expect(control: string, from: ConnectionState[]): void {
    if (!from.includes(this.state.connection)) {
      throw new Error(`${control}: the session is ${this.state.connection}, not ${from.join(' or ')}`);
    }
  }
}
