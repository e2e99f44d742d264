import { log } from '@temporalio/activity';
import { reviewerReminderMessage } from '../../domain/driver-messages.ts';
import { whatsAppDigits } from '../../domain/phone.ts';
import type { RegistrationDependencies } from './dependencies.ts';
import { sendWhatsAppOnce } from '../delivery/send-whatsapp-once.ts';

/**
 * A registration has waited too long for a reviewer: log it, count it, and message the
 * reviewers' WhatsApp number when one is configured.
 */
export function createRemindReviewers(
  deps: Pick<RegistrationDependencies, 'db' | 'wppconnect' | 'metrics' | 'reviewBaseUrl' | 'reviewerWhatsApp' | 'reminderAfterMs' | 'reminderEveryMs'>,
) {
  return async function remindReviewers(input: { registrationId: string; reminder: number }): Promise<void> {
    const waitedMs = deps.reminderAfterMs + (input.reminder - 1) * deps.reminderEveryMs;
    const waitingHours = Math.round(waitedMs / 3_600_000);
    const link = `${deps.reviewBaseUrl}/drivers/${input.registrationId}`;
    log.warn('Registration awaits a reviewer decision', { registrationId: input.registrationId, reminder: input.reminder, waitingHours });
    if (deps.reviewerWhatsApp !== undefined) {
      await sendWhatsAppOnce(deps, {
        idempotencyKey: `registration:${input.registrationId}:reviewer-reminder-${input.reminder}`,
        registrationId: input.registrationId,
        phone: whatsAppDigits(deps.reviewerWhatsApp),
        body: reviewerReminderMessage(input.registrationId, waitingHours, link),
      });
    }
    deps.metrics.reviewerReminders.inc();
  };
}
