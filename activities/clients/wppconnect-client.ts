/**
 * The WPPConnect Server client used by activities (CONTRACTS.md §2).
 * Failures are already sorted for Temporal: see wppconnect-failures.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { failureFromResponse, isOpenListFailure, isSuccess, unexpectedResponse } from './wppconnect-failures.ts';
import { checkConnectionResponse, getMessagesResponse, sendMessageResponse } from './wppconnect-schemas.ts';
import { createTransport } from './wppconnect-transport.ts';

export interface WppConnectClientOptions {
  /** e.g. http://localhost:21465 */
  baseUrl: string;
  /** WPPConnect session name. */
  session: string;
  /** WPPCONNECT_TOKEN: a ready bearer token. */
  token?: string;
  /** WPPCONNECT_SECRET_KEY: generates a token when none is given, and renews it on 401. */
  secretKey?: string;
  /** Per HTTP request, default 15000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface WhatsAppMessage {
  id: string;
  fromMe: boolean;
  body: string;
  /** Seconds since the epoch, as WhatsApp gives it. */
  timestamp: number;
  type: string;
}

export interface WppConnectClient {
  /** phone = digits without '+', e.g. 351912345678. Returns the WhatsApp message id of the sent message. */
  sendText(input: { phone: string; message: string }): Promise<{ messageId: string }>;
  /** Recent messages of a one-to-one chat (get-messages/{phone}@c.us), newest last. */
  recentMessages(input: { phone: string; count: number }): Promise<WhatsAppMessage[]>;
  connectionStatus(): Promise<{ connected: boolean }>;
}

export function createWppConnectClient(options: WppConnectClientOptions): WppConnectClient {
  if (!options.token && !options.secretKey) {
    throw new Error('WPPConnect client needs a token (WPPCONNECT_TOKEN) or a secret key (WPPCONNECT_SECRET_KEY)');
  }
  const transport = createTransport({
    baseUrl: options.baseUrl,
    session: options.session,
    token: options.token || undefined,
    secretKey: options.secretKey || undefined,
    timeoutMs: options.timeoutMs ?? 15_000,
    fetch: options.fetch ?? globalThis.fetch,
  });

  return {
    async sendText({ phone, message }) {
      assertPhone(phone);
      const response = await transport.call('POST', 'send-message', { phone, isGroup: false, message });
      if (!isSuccess(response)) throw failureFromResponse('send-message', response);
      const parsed = sendMessageResponse.safeParse(response.body);
      if (!parsed.success) throw unexpectedResponse('send-message', parsed.error);
      const [first] = parsed.data.response;
      return { messageId: first!.id };
    },

    async recentMessages({ phone, count }) {
      assertPhone(phone);
      if (!Number.isInteger(count) || count < 1) {
        throw ApplicationFailure.nonRetryable(`count must be a positive integer, got ${count}`, ErrorType.ValidationFailed);
      }
      const response = await transport.call('GET', `get-messages/${phone}@c.us?count=${count}`);
      // wa-js cannot open a chat this phone has never had: there is no history.
      if (isOpenListFailure(response)) return [];
      if (!isSuccess(response)) throw failureFromResponse('get-messages', response);
      const parsed = getMessagesResponse.safeParse(response.body);
      if (!parsed.success) throw unexpectedResponse('get-messages', parsed.error);
      const oldestFirst = [...parsed.data.response].sort((a, b) => a.timestamp - b.timestamp);
      return oldestFirst.slice(-count);
    },

    async connectionStatus() {
      const response = await transport.call('GET', 'check-connection-session');
      if (!isSuccess(response)) throw failureFromResponse('check-connection-session', response);
      const parsed = checkConnectionResponse.safeParse(response.body);
      if (!parsed.success) throw unexpectedResponse('check-connection-session', parsed.error);
      return { connected: parsed.data.status };
    },
  };
}

/**
 * Digits only. The server would turn '+', spaces or dashes into nothing anyway, but a
 * caller passing them has not normalised the number, and more than 14 digits is
 * treated by the server as a WhatsApp LID, not a phone number.
 */
function assertPhone(phone: string): void {
  if (!/^[1-9]\d{6,13}$/.test(phone)) {
    throw ApplicationFailure.nonRetryable(
      `"${phone}" is not a phone number in international form without '+' (7 to 14 digits)`,
      ErrorType.ValidationFailed,
    );
  }
}
