import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { whatsAppDigits } from '../../domain/phone.ts';
import { decisionDeliveryKey, decisionMessage, type Decision } from '../../domain/registration.ts';
import { correctionCodeHash, newCorrectionCode } from '../../platform/correction-codes.ts';
import { deliveryStatus } from '../../platform/stores/deliveries.ts';
import { correctionCodeSent, getRegistration, storeCorrectionCode, unsentCorrectionCode } from '../../platform/stores/registrations.ts';
import { phoneOfChat } from '../delivery/recipient.ts';
import { sendToWhatsAppOnce } from '../delivery/whatsapp-once.ts';
import type { RegistrationDependencies } from './dependencies.ts';

const dayMs = 24 * 3_600_000;
const defaultCodeTtlMs = 14 * dayMs;

/**
 * Tells the driver the reviewer's decision on WhatsApp, in pt-PT, once per decision round. A
 * correction request carries a fresh correction code: with it the driver may correct from outside
 * the registration's chat. Until the message is known to have gone the code is kept, so a retry cut
 * off after WhatsApp took the message sends the same words, finds them in the chat and sends nothing;
 * after that only the code's hash remains.
 */
export function createNotifyDriver(deps: Pick<RegistrationDependencies, 'db' | 'personal' | 'wppconnect' | 'metrics' | 'correctionCodeTtlMs' | 'chatEvents' | 'correctionFormUrl'>) {
  const codeTtlMs = deps.correctionCodeTtlMs ?? defaultCodeTtlMs;
  return async function notifyDriver(input: { registrationId: string; decision: Decision; round: number }): Promise<{ messageId: string | null }> {
    const registration = await getRegistration(deps.db, deps.personal, input.registrationId);
    if (registration === null) {
      throw ApplicationFailure.nonRetryable(`Registration ${input.registrationId} not found`, ErrorType.RegistrationNotFound);
    }
    const key = decisionDeliveryKey(input.registrationId, input.round, input.decision.kind);
    let correctionCode: { code: string; validDays: number } | undefined;
    if (input.decision.kind === 'correction_requested' && (await deliveryStatus(deps.db, deps.personal, key)) !== 'sent') {
      const code = (await unsentCorrectionCode(deps.db, input.registrationId)) ?? newCorrectionCode();
      // False when the registration no longer awaits a correction (the driver corrected from the chat already).
      if (await storeCorrectionCode(deps.db, input.registrationId, { plain: code, sha256: correctionCodeHash(code) }, new Date(Date.now() + codeTtlMs))) {
        correctionCode = { code, validDays: Math.max(1, Math.round(codeTtlMs / dayMs)) };
      }
    }
    // A registration from the bot is answered in the chat it came from, whatever number was typed in the form.
    const chatId = registration.chat?.whatsappChatId ?? null;
    // From the bot: it asks for the items in the chat next (askCorrectionInChat). From the web: the flow's link opens the items alone.
    const how = chatId !== null && deps.chatEvents !== undefined
      ? { inChat: true }
      : deps.correctionFormUrl === undefined ? {} : { formUrl: deps.correctionFormUrl };
    const chatPhone = chatId === null ? null : await phoneOfChat(deps.wppconnect, chatId);
    const phone = chatPhone ?? whatsAppDigits(registration.phone);
    const result = await sendToWhatsAppOnce(deps, {
      key,
      origin: 'registration',
      chatId: chatPhone === null ? `${phone}@c.us` : chatId!,
      phone,
      registrationId: input.registrationId,
      content: { kind: 'text', text: decisionMessage(registration.fullName, input.decision, correctionCode, how) },
    });
    // Whichever attempt learns the request went (this one, or a retry after a failed clear) drops the plain code.
    if (input.decision.kind === 'correction_requested' && result.outcome === 'sent') await correctionCodeSent(deps.db, input.registrationId);
    if (result.outcome === 'failed') throw ApplicationFailure.nonRetryable(`WhatsApp refused the decision earlier: ${result.error}`, ErrorType.WhatsAppRecipientUnknown);
    deps.metrics.driverMessages.inc({ outcome: result.alreadySent ? 'already_sent' : 'sent' });
    return { messageId: result.whatsappMessageId };
  };
}
