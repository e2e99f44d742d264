import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { whatsAppDigits } from '../../domain/phone.ts';
import { reviewerMessages } from '../../domain/texts/registration.ts';
import type { RegistrationDependencies } from './dependencies.ts';
import { insertAuditEntry } from '../../platform/stores/audit.ts';
import { sendToWhatsAppOnce } from '../delivery/whatsapp-once.ts';

/**
 * A registration has waited too long for a reviewer: log it, count it, and message the
 * reviewers' WhatsApp number when one is configured.
 */
export function createRemindReviewers(
  deps: Pick<RegistrationDependencies, 'db' | 'personal' | 'wppconnect' | 'metrics' | 'reviewBaseUrl' | 'reviewerWhatsApp' | 'reminderAfterMs' | 'reminderEveryMs'>,
) {
  return async function remindReviewers(input: { registrationId: string; reminder: number }): Promise<void> {
    const waitedMs = deps.reminderAfterMs + (input.reminder - 1) * deps.reminderEveryMs;
    const waitingHours = Math.round(waitedMs / 3_600_000);
    const link = `${deps.reviewBaseUrl}/console/registrations/${input.registrationId}`;
    log.warn('Registration awaits a reviewer decision', { registrationId: input.registrationId, reminder: input.reminder, waitingHours });
    if (deps.reviewerWhatsApp !== undefined) {
      const phone = whatsAppDigits(deps.reviewerWhatsApp);
      await sendToWhatsAppOnce(deps, {
        key: `registration:${input.registrationId}:reviewer-reminder-${input.reminder}`,
        origin: 'registration',
        chatId: `${phone}@c.us`,
        phone,
        registrationId: input.registrationId,
        content: { kind: 'text', text: reviewerMessages.reminder(input.registrationId, waitingHours, link) },
      }).catch((error: unknown) => {
        // A reviewers' number WhatsApp refuses must not fail the registration: the log and the metric still remind.
        if (!(error instanceof ApplicationFailure) || !error.nonRetryable) throw error;
        log.error('The reviewer reminder could not be sent on WhatsApp', { registrationId: input.registrationId, error: error.message });
      });
    }
    deps.metrics.reviewerReminders.inc();
    // The registration's timeline in the console shows it (a retried attempt may add a second row for the same reminder).
    await insertAuditEntry(deps.db, { actor: 'system', action: 'remind_reviewers', outcome: 'accepted', registrationId: input.registrationId, remoteAddress: null, details: { reminder: input.reminder } });
  };
}
