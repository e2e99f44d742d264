import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { whatsAppDigits } from '../../domain/phone.ts';
import { decisionMessage, type Decision } from '../../domain/registration.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import { phoneOfChat } from '../delivery/recipient.ts';
import { sendToWhatsAppOnce } from '../delivery/whatsapp-once.ts';
import type { RegistrationDependencies } from './dependencies.ts';

/** Tells the driver the reviewer's decision on WhatsApp, in pt-PT, once per decision round. */
export function createNotifyDriver(deps: Pick<RegistrationDependencies, 'db' | 'wppconnect' | 'metrics'>) {
  return async function notifyDriver(input: { registrationId: string; decision: Decision; round: number }): Promise<{ messageId: string | null }> {
    const registration = await getRegistration(deps.db, input.registrationId);
    if (registration === null) {
      throw ApplicationFailure.nonRetryable(`Registration ${input.registrationId} not found`, ErrorType.RegistrationNotFound);
    }
    // A registration from the bot is answered in the chat it came from, whatever number was typed in the form.
    const chatId = registration.chat?.whatsappChatId ?? null;
    const chatPhone = chatId === null ? null : await phoneOfChat(deps.wppconnect, chatId);
    const phone = chatPhone ?? whatsAppDigits(registration.phone);
    const result = await sendToWhatsAppOnce(deps, {
      key: `registration:${input.registrationId}:round-${input.round}:${input.decision.kind}`,
      origin: 'registration',
      chatId: chatPhone === null ? `${phone}@c.us` : chatId!,
      phone,
      registrationId: input.registrationId,
      content: { kind: 'text', text: decisionMessage(registration.fullName, input.decision) },
    });
    if (result.outcome === 'failed') throw ApplicationFailure.nonRetryable(`WhatsApp refused the decision earlier: ${result.error}`, ErrorType.WhatsAppRecipientUnknown);
    deps.metrics.driverMessages.inc({ outcome: result.alreadySent ? 'already_sent' : 'sent' });
    return { messageId: result.whatsappMessageId };
  };
}
