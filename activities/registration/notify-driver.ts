import { ApplicationFailure } from '@temporalio/common';
import { decisionMessage } from '../../domain/driver-messages.ts';
import { ErrorType } from '../../domain/errors.ts';
import { whatsAppDigits } from '../../domain/phone.ts';
import type { Decision } from '../../domain/registration.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import type { RegistrationDependencies } from './dependencies.ts';
import { phoneOfChat } from '../bridge/resolve-conversation.ts';
import { sendWhatsAppOnce } from '../delivery/send-whatsapp-once.ts';

/** Tells the driver the reviewer's decision on WhatsApp, in pt-PT, once per decision round. */
export function createNotifyDriver(deps: Pick<RegistrationDependencies, 'db' | 'wppconnect' | 'metrics'>) {
  return async function notifyDriver(input: { registrationId: string; decision: Decision; round: number }): Promise<{ messageId: string | null }> {
    const registration = await getRegistration(deps.db, input.registrationId);
    if (registration === null) {
      throw ApplicationFailure.nonRetryable(`Registration ${input.registrationId} not found`, ErrorType.RegistrationNotFound);
    }
    // A registration from the bot is answered in the chat it came from, whatever number was typed in the form.
    const chatPhone = registration.chat === null ? null : await phoneOfChat(deps, registration.chat.whatsappChatId);
    const result = await sendWhatsAppOnce(deps, {
      idempotencyKey: `registration:${input.registrationId}:round-${input.round}:${input.decision.kind}`,
      registrationId: input.registrationId,
      phone: chatPhone ?? whatsAppDigits(registration.phone),
      body: decisionMessage(registration.fullName, input.decision),
    });
    deps.metrics.driverMessages.inc({ outcome: result.alreadySent ? 'already_sent' : 'sent' });
    return { messageId: result.messageId };
  };
}
