/**
 * The WhatsApp session's health (issue 15): what WPPConnect's status route says, sharpened by what
 * its webhooks said (the status route cannot tell a phone offline from a connected one).
 */

/** The states the bridge tells apart; `UNREACHABLE`: WPPConnect itself did not answer. */
export const sessionStates = ['CONNECTED', 'PHONE_OFFLINE', 'QRCODE', 'INITIALIZING', 'CLOSED', 'UNREACHABLE'] as const;
export type SessionState = (typeof sessionStates)[number];

/** The state from status-session's `status` and the webhooks' phone-offline flag. */
export function sessionStateOf(status: string | null, phoneOffline: boolean): SessionState {
  switch (status) {
    case 'CONNECTED':
      return phoneOffline ? 'PHONE_OFFLINE' : 'CONNECTED';
    case 'QRCODE':
    case 'PHONECODE':
      return 'QRCODE';
    case 'INITIALIZING':
      return 'INITIALIZING';
    case null:
      return 'UNREACHABLE';
    default:
      return 'CLOSED';
  }
}

/**
 * What a `status-find` webhook says of the phone (CONTRACTS.md §2.5): `phoneNotConnected` and
 * `disconnectedMobile` that it is away; `inChat`, `isLogged`, `qrReadSuccess` that it is back; the
 * others nothing about the phone.
 */
export function phoneOfflineHint(status: string): boolean | undefined {
  if (status === 'phoneNotConnected' || status === 'disconnectedMobile') return true;
  if (status === 'inChat' || status === 'isLogged' || status === 'qrReadSuccess') return false;
  return undefined;
}

/** The health Schedule of the bridge on this task queue (one per deployment). */
export const sessionHealthScheduleId = (bridgeTaskQueue: string) => `whatsapp-session-health-${bridgeTaskQueue}`;
