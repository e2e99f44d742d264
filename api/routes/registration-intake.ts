import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorType } from '../../domain/errors.ts';
import { parseNif } from '../../domain/nif.ts';
import { parsePortuguesePhone } from '../../domain/phone.ts';
import { requestErrors } from '../../domain/texts/intake.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { intakeGuard, takeIntakeSlot } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { EdgeRefusal } from '../edge/refusals.ts';
import { readSharedBody } from '../edge/shared-body.ts';
import { submitRegistration } from '../intake/submit-registration.ts';

/**
 * The Typebot flow's HTTP Request block posts here (`/drivers/register-typebot/`, with or without
 * the trailing slash). Answers in pt-PT: Typebot shows `error` to the driver. Before the body is
 * read: `X-Intake-Token` (required in production), the per-address limit for the rest, and a slot
 * (INTAKE_MAX_IN_FLIGHT, waited for up to INTAKE_QUEUE_WAIT); once it is parsed, the per-NIF and per-phone limits.
 */
export const registrationIntakeRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  const guard = intakeGuard(deps.config.INTAKE_SHARED_SECRET, limits);
  const takeSlot = (_request: FastifyRequest, reply: FastifyReply) => takeIntakeSlot(limits, deps.config.INTAKE_QUEUE_WAIT, reply);

  // Collected into shared memory here, parsed, read and decoded in a worker thread (documentChecks): tens
  // of megabytes of JSON and base64 would otherwise hold the event loop, and with it /health, webhooks and reviewers.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (request: FastifyRequest, payload: FastifyRequest['raw']) => readSharedBody(request, payload, request.routeOptions.bodyLimit ?? deps.config.INTAKE_BODY_LIMIT_BYTES));

  for (const url of ['/drivers/register-typebot', '/drivers/register-typebot/']) {
    app.post(url, { bodyLimit: deps.config.INTAKE_BODY_LIMIT_BYTES, config: { audience: 'driver' }, onRequest: [guard, takeSlot] }, async (request, reply) => {
      const intake = await deps.documentChecks.readIntake(request.body as Buffer);
      await countSubmission(limits, intake.answers);
      const result = await submitRegistration(deps, intake);
      request.log.info({ registrationId: result.registrationId, created: result.created }, 'registration submitted');
      if (result.handOffDeferred === true) request.log.warn({ registrationId: result.registrationId }, 'correction stored but not signalled: self-repair re-sends the signal');
      return reply.status(result.created ? 201 : 200).send({ success: true, registration_id: result.registrationId, status: result.status });
    });
  }
};

/**
 * One more submission for its NIF and its phone (whichever is valid; an invalid one is refused later
 * anyway). Past the limit: 429 and nothing else happens, so generated forms cannot flood the review
 * queue or make the company's number message any phone typed in.
 */
async function countSubmission(limits: EdgeLimits, answers: Record<string, unknown>): Promise<void> {
  const nif = parseNif(answers.nif);
  const phone = parsePortuguesePhone(answers.telefone);
  if (!nif.ok && !phone.ok) return;
  const counts = await limits.submission(nif.ok ? nif.value : null, phone.ok ? phone.value : null);
  const over = [counts.nif, counts.phone].filter((count) => count?.exceeded === true);
  if (over.length === 0) return;
  const retryAfterSeconds = Math.max(...over.map((count) => count!.retryAfterSeconds));
  throw new EdgeRefusal(ErrorType.RateLimited, requestErrors.tooManySubmissions, counts.nif?.exceeded === true ? 'rate_limited_nif' : 'rate_limited_phone', retryAfterSeconds);
}
