import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import { sessionStateOf, type SessionState } from '../../domain/whatsapp-session.ts';
import { operationsNotes, sessionStateLabels } from '../../domain/texts/agents.ts';
import { countWaitingDeliveries, getSessionHealth, recordSessionHealth } from '../../platform/stores/whatsapp-session.ts';
import type { BridgeDependencies } from './dependencies.ts';

const clock = new Intl.DateTimeFormat('pt-PT', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Lisbon' });

/**
 * One look at the WhatsApp session (run by the health Schedule, and at once on WPPConnect's session
 * webhooks): its state from status-session and the webhooks' phone-offline flag, kept in PostgreSQL;
 * the gauge set; and, when it changes, a private note in the operations conversation — it went
 * down (how many messages wait), the QR code to scan (again whenever it changes), it is back (after
 * how long, how many messages now go). Messages are never dropped meanwhile: sends are retried.
 * The change is recorded before its notes, and only by the one check that saw it first (webhooks in
 * a burst trigger checks side by side): a note is posted once, or lost if Chatwoot refuses it.
 */
export function createCheckWhatsAppSession(deps: Pick<BridgeDependencies, 'db' | 'wppconnect' | 'chatwoot' | 'operationsConversationId'>) {
  return async function checkWhatsAppSession(): Promise<{ state: SessionState; changed: boolean }> {
    const before = await getSessionHealth(deps.db);
    const observed = await deps.wppconnect.sessionStatus().catch((error: unknown) => {
      log.warn('WPPConnect did not answer the session check', { error: error instanceof Error ? error.message : String(error) });
      return null;
    });
    const state = sessionStateOf(observed?.status ?? null, before?.phoneOffline ?? false);
    const previous = before?.state ?? 'CONNECTED';
    const now = new Date();
    const at = clock.format(now);
    const qr = observed?.qrCode ?? null;
    const qrSha256 = qr === null ? null : createHash('sha256').update(qr).digest('hex');
    const downSince = state === 'CONNECTED' ? null : (before?.downSince ?? now);

    const changed = state !== previous;
    const newQr = state === 'QRCODE' && qr !== null && qrSha256 !== before?.qrSha256;
    // Recorded first, only if no check beside this one recorded it already: the notes go once.
    const ours = await recordSessionHealth(deps.db, before === null ? null : { state: before.state, qrSha256: before.qrSha256 }, {
      state, since: changed || before === null ? now : before.since, qrSha256: state === 'QRCODE' ? qrSha256 : null, downSince,
    });
    if (!ours) return { state, changed: false };

    // Best effort: a note Chatwoot refuses is logged, and the state stays recorded (no note posted again every check).
    const note = async (content: string, attachment?: Buffer) => {
      if (deps.operationsConversationId === null) return;
      await deps.chatwoot.createMessage(deps.operationsConversationId, {
        messageType: 'outgoing', private: true, content,
        ...(attachment === undefined ? {} : { attachments: [{ filename: `whatsapp-qr-${now.toISOString().slice(0, 16).replace(':', 'h')}.png`, contentType: 'image/png', bytes: attachment }] }),
      }).catch((error: unknown) => {
        log.error('The operations note could not be posted', { error: error instanceof Error ? error.message : String(error) });
      });
    };
    if (previous === 'CONNECTED' && state !== 'CONNECTED') {
      log.warn('The WhatsApp session is not connected', { state });
      await note(operationsNotes.sessionDown(sessionStateLabels[state], at, await countWaitingDeliveries(deps.db)));
    }
    if (newQr) await note(operationsNotes.qrCode(at), qr);
    if (previous !== 'CONNECTED' && state === 'CONNECTED' && before?.downSince != null) {
      const minutes = Math.floor((now.getTime() - before.downSince.getTime()) / 60_000);
      log.info('The WhatsApp session is connected again', { minutes });
      await note(operationsNotes.sessionBack(at, minutes, await countWaitingDeliveries(deps.db)));
    }
    return { state, changed };
  };
}
