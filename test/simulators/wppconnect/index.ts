/**
 * A stand-in for WPPConnect Server v2.10.4 (CONTRACTS.md §2) for end-to-end tests
 * and the newcomers' sandbox. It answers what the real server answers, including
 * its Portuguese errors; when a client disagrees with it, fix the client.
 */
import { buildWppConnectApp } from './app.ts';
import type { WppFaults } from './faults.ts';
import type { RequestRecord, SentRecord } from './state.ts';
import { createSimulatorState } from './state.ts';

export type { FaultStatus, WppFaults } from './faults.ts';
export type { RequestRecord, SentRecord } from './state.ts';

export interface WppConnectSimulator {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** The current SECRET_KEY. */
  readonly secretKey: string;
  session: string;
  /** Everything successfully sent, in order. */
  sent: ReadonlyArray<SentRecord>;
  /** Every answered request, in order (route patterns, so no secrets). */
  requests: ReadonlyArray<RequestRecord>;
  faults: WppFaults;
  /** Digits; sending to them gives the real 400 "O número … não existe." */
  setUnknownNumbers(phones: string[]): void;
  /** false: send and read routes answer the real 404 "A sessão do WhatsApp não está ativa." */
  setConnected(connected: boolean): void;
  /** As if the server restarted with another SECRET_KEY: every token issued so far stops working. */
  setSecretKey(secretKey: string): void;
  close(): Promise<void>;
}

export interface WppConnectSimulatorOptions {
  port?: number;
  host?: string;
  /** Default THISISMYSECURETOKEN, the server's own default. */
  secretKey?: string;
  /** Default "bridge". */
  session?: string;
}

export async function startWppConnectSimulator(opts: WppConnectSimulatorOptions = {}): Promise<WppConnectSimulator> {
  const state = createSimulatorState({
    session: opts.session ?? 'bridge',
    secretKey: opts.secretKey ?? 'THISISMYSECURETOKEN',
  });
  const closing = new AbortController();
  const { app } = buildWppConnectApp(state, closing.signal);
  const url = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });

  return {
    url,
    get secretKey() {
      return state.secretKey;
    },
    session: state.session,
    sent: state.sent,
    requests: state.requests,
    faults: state.faults,
    setUnknownNumbers(phones) {
      state.unknownNumbers.clear();
      for (const phone of phones) state.unknownNumbers.add(phone.replace(/\D/g, ''));
    },
    setConnected(connected) {
      state.connected = connected;
    },
    setSecretKey(secretKey) {
      state.secretKey = secretKey;
    },
    async close() {
      closing.abort();
      await app.close();
    },
  };
}
