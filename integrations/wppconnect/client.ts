/**
 * The WPPConnect Server client used by activities (CONTRACTS.md §2): sending in
 * send.ts, reading in read.ts, webhooks in webhook.ts.
 * Failures are already sorted for Temporal: see failures.ts.
 */
import type { ReadOperations } from './read.ts';
import { readOperations } from './read.ts';
import type { SendOperations } from './send.ts';
import { sendOperations } from './send.ts';
import { createTransport } from './transport.ts';

export type { WhatsAppMessage } from './message.ts';
export type { ChatSummary } from './read.ts';
export type { SendFileInput } from './send.ts';

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

/**
 * `phone` everywhere: digits without '+' (351912345678), or an `…@lid` id for a
 * contact WhatsApp shows only by LID. Caller mistakes are non-retryable
 * ValidationFailed before any request is made.
 */
export interface WppConnectClient extends SendOperations, ReadOperations {}

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
  return { ...sendOperations(transport), ...readOperations(transport) };
}
