import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { documentKindOfField, isAnswerField, parseDocumentSource, validateAnswer } from '../../domain/registration-submission.ts';
import { answerCheckErrors, requestErrors } from '../../domain/texts/intake.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { enterIntake, intakeGuard } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { EdgeRefusal } from '../edge/refusals.ts';
import { resolveDocument, resolveLimitsOf } from '../intake/resolve-documents.ts';

const answerCheckBody = z.object({
  /** The form's field, by its Typebot name (`nif`, `cnh_frente`…). */
  campo: z.string().max(64),
  /** The answer as given: text, or the address Typebot stored an uploaded file at. */
  valor: z.unknown(),
  /** The chat's session, when the flow runs in one: the answers of one dialogue are counted together. */
  sessao_conversa: z.string().max(200).optional(),
});

/** What the flow reads back: whether to move on, the value to keep (normalised), and what to tell the driver. */
export interface AnswerCheck {
  valido: boolean;
  valor: string;
  erro: string;
}

/**
 * The Typebot flow's HTTP Request block posts each answer here as it is given
 * (`/drivers/validate-typebot/`, with or without the trailing slash), and re-asks with `erro` until
 * `valido`. Text answers go through the very validators of the intake (`domain/`); a document is
 * fetched from Typebot's storage and checked as the intake checks it (type by its bytes, size,
 * decode), taking an intake slot meanwhile. Nothing is stored. Authenticated like the intake
 * (`X-Intake-Token`); each chat session's checks are counted (`RATE_LIMIT_ANSWER_CHECKS`).
 */
export const answerCheckRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  const guard = intakeGuard(deps.config.INTAKE_SHARED_SECRET, limits);
  const documentLimits = resolveLimitsOf(deps.config, deps.fetch);

  async function checkDocument(field: string, raw: unknown): Promise<AnswerCheck> {
    const kind = documentKindOfField(field)!;
    const source = parseDocumentSource(raw, kind);
    if (!source.ok) return { valido: false, valor: '', erro: source.error };
    await enterIntake(limits, deps.config.INTAKE_QUEUE_WAIT);
    try {
      await resolveDocument(source.value, kind, deps.documentChecks, documentLimits);
      return { valido: true, valor: answerAsGiven(raw), erro: '' };
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return { valido: false, valor: '', erro: error.message };
      throw error;
    } finally {
      limits.releaseIntake();
    }
  }

  for (const url of ['/drivers/validate-typebot', '/drivers/validate-typebot/']) {
    app.post(url, { schema: { body: answerCheckBody }, config: { audience: 'driver' }, onRequest: [guard] }, async (request) => {
      const { campo, valor, sessao_conversa: session } = request.body;
      // Typebot sends an empty SessaoConversa when the flow runs outside a chat (the web): counted per address then.
      const sessionKey = session?.trim() ?? '';
      const counted = await limits.answerCheck(sessionKey === '' ? `address:${request.ip}` : `session:${sessionKey}`);
      if (counted.exceeded) throw new EdgeRefusal(ErrorType.RateLimited, requestErrors.tooManyRequests, 'rate_limited_answer_checks', counted.retryAfterSeconds);
      const field = campo.trim().toLowerCase();
      if (isAnswerField(field)) {
        const checked = validateAnswer(field, valor);
        return checked.ok ? { valido: true, valor: checked.value, erro: '' } : { valido: false, valor: '', erro: checked.error };
      }
      if (documentKindOfField(field) !== undefined) return checkDocument(field, valor);
      throw new AppError(ErrorType.MalformedPayload, answerCheckErrors.unknownField, { campo: answerCheckErrors.unknownField });
    });
  }
};

/** A document's answer kept as Typebot gave it (its address), trimmed. */
function answerAsGiven(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim() : '';
}
