import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { correctableItems, type CorrectableItem } from '../../domain/registration-items.ts';
import { documentFieldOf, formFieldOfItem, keptDocumentAnswer } from '../../domain/registration-submission.ts';
import { correctionDialogue, requestErrors, submissionErrors } from '../../domain/texts/intake.ts';
import { correctionCodeHash } from '../../platform/correction-codes.ts';
import type { RegistrationRow } from '../../platform/stores/registration-rows.ts';
import { botSessionOf } from '../../platform/stores/bot.ts';
import { correctionAwaitedByCode, correctionAwaitedInChat } from '../../platform/stores/registrations.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { intakeGuard } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { EdgeRefusal } from '../edge/refusals.ts';

const correctionStartBody = z.object({
  /** The chat's session (the bot started the flow for the correction): the chat proves who asks. */
  sessao_conversa: z.string().max(200).optional(),
  /** The correction code, from the link in the correction request (the flow on the web). */
  codigo_correcao: z.string().max(64).optional(),
});

/**
 * What the flow needs to ask for a correction alone: the opening line, the registration's current
 * answers (each document as kept) to show in the summary and send back, and which answers to ask
 * again (`sim`), by the form's variable names.
 */
export interface CorrectionStart {
  encontrado: true;
  texto: string;
  respostas: Record<string, string>;
  corrigir: Record<string, 'sim' | ''>;
}

function startOf(registration: RegistrationRow, showMessage: boolean): CorrectionStart {
  const items: CorrectableItem[] = registration.correctionItems ?? [];
  const keptDocuments = Object.fromEntries(Object.values(documentFieldOf).map((field) => [field, keptDocumentAnswer]));
  return {
    encontrado: true,
    texto: correctionDialogue.opening(items, showMessage ? registration.correctionMessage : null),
    respostas: {
      nome_completo: registration.fullName, nif: registration.nif, telefone: registration.phone, email: registration.email,
      morada: registration.address, codigo_postal: registration.postalCode, cidade: registration.city, ...keptDocuments,
    },
    corrigir: Object.fromEntries(correctableItems.map((item) => [formFieldOfItem[item], items.includes(item) ? 'sim' : ''])),
  };
}

/**
 * The Typebot flow opens a correction here (`/drivers/correction-typebot/`) before asking anything:
 * from the registration's chat (the bot started the flow with `Correcao`, and its session's link
 * token names the chat) or with the correction code of the link sent to a driver who registered on
 * the web. Only the registration awaiting a correction is found; nothing is changed. Authenticated
 * like the intake; a chat's lookups count with its answer checks, code lookups all together
 * (`RATE_LIMIT_CORRECTION_CODES`).
 */
export const correctionStartRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  const guard = intakeGuard(deps.config.INTAKE_SHARED_SECRET, limits);

  async function byChat(linkToken: string): Promise<CorrectionStart> {
    const counted = await limits.answerCheck(`session:${linkToken}`);
    if (counted.exceeded) throw new EdgeRefusal(ErrorType.RateLimited, requestErrors.tooManyRequests, 'rate_limited_answer_checks', counted.retryAfterSeconds);
    const chatId = (await botSessionOf(deps.db, deps.personal, linkToken))?.chatId ?? null;
    const registration = chatId === null ? null : await correctionAwaitedInChat(deps.db, deps.personal, chatId);
    if (registration === null) throw new AppError(ErrorType.NotFound, correctionDialogue.nothingToCorrect);
    return startOf(registration, false);
  }

  async function byCode(code: string): Promise<CorrectionStart> {
    const counted = await limits.correctionCode();
    if (counted.exceeded) throw new EdgeRefusal(ErrorType.RateLimited, requestErrors.tooManyRequests, 'rate_limited_correction_codes', counted.retryAfterSeconds);
    const registration = await correctionAwaitedByCode(deps.db, deps.personal, correctionCodeHash(code));
    if (registration === null) throw new AppError(ErrorType.CorrectionRefused, submissionErrors.correctionCodeRefused, { codigo_correcao: submissionErrors.correctionCodeRefused });
    return startOf(registration, true);
  }

  for (const url of ['/drivers/correction-typebot', '/drivers/correction-typebot/']) {
    app.post(url, { schema: { body: correctionStartBody }, config: { audience: 'driver' }, onRequest: [guard] }, async (request) => {
      const linkToken = request.body.sessao_conversa?.trim() ?? '';
      const code = request.body.codigo_correcao?.trim() ?? '';
      // In a chat, the chat decides: a code typed there changes nothing.
      if (linkToken !== '') return byChat(linkToken);
      if (code !== '') return byCode(code);
      throw new AppError(ErrorType.CorrectionRefused, submissionErrors.correctionCodeRefused, { codigo_correcao: submissionErrors.correctionCodeRefused });
    });
  }
};
