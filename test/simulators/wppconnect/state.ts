/**
 * Everything the simulated server knows. Routes read and change it; the public
 * handle in index.ts exposes parts of it to tests. New features (webhooks,
 * media, incoming messages) add fields here.
 */
import { FaultSwitches } from './faults.ts';
import type { WaMessage } from './messages.ts';

export interface SentRecord {
  id: string;
  /** Digits, e.g. 351912345678. */
  phone: string;
  body: string;
  at: Date;
}

export interface RequestRecord {
  method: string;
  /** The route pattern, e.g. /api/:session/send-message (never the secret in the URL). */
  route: string;
  status: number;
}

export interface SimulatorState {
  /** The one session paired with a phone; other names are valid but never started. */
  readonly session: string;
  secretKey: string;
  connected: boolean;
  /** The paired phone's own WhatsApp id. */
  readonly ownId: string;
  readonly unknownNumbers: Set<string>;
  /** chatId (e.g. 351912345678@c.us) -> its messages, oldest first. */
  readonly chats: Map<string, WaMessage[]>;
  readonly sent: SentRecord[];
  readonly requests: RequestRecord[];
  readonly faults: FaultSwitches;
}

export const SERVER_VERSION = '2.10.4';

export function createSimulatorState(options: { session: string; secretKey: string }): SimulatorState {
  return {
    session: options.session,
    secretKey: options.secretKey,
    connected: true,
    ownId: '351930000000@c.us',
    unknownNumbers: new Set(),
    chats: new Map(),
    sent: [],
    requests: [],
    faults: new FaultSwitches(),
  };
}

/** The session name in the path, without the optional `:token` suffix. */
export function sessionName(pathSession: string): string {
  return pathSession.split(':')[0] ?? '';
}

export function isLive(state: SimulatorState, session: string): boolean {
  return session === state.session && state.connected;
}
