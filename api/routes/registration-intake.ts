import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { submissionErrors } from '../../domain/texts/intake.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { submitRegistration } from '../intake/submit-registration.ts';

const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/**
 * The Typebot flow's HTTP Request block posts here (`/drivers/register-typebot/`, with or without
 * the trailing slash). Answers in pt-PT: Typebot shows `error` to the driver.
 */
export const registrationIntakeRoutes = (deps: AppDependencies): FastifyPluginAsyncZod => async (app) => {
  const secret = deps.config.INTAKE_SHARED_SECRET;
  for (const url of ['/drivers/register-typebot', '/drivers/register-typebot/']) {
    app.post(url, { bodyLimit: deps.config.INTAKE_BODY_LIMIT_BYTES, config: { audience: 'driver' } }, async (request, reply) => {
      if (secret !== undefined && !sameSecret(String(request.headers['x-intake-token'] ?? ''), secret)) {
        throw new AppError(ErrorType.Unauthorized, submissionErrors.unauthorized);
      }
      const result = await submitRegistration(deps, request.body);
      request.log.info({ registrationId: result.registrationId, created: result.created }, 'registration submitted');
      if (result.handOffDeferred === true) request.log.warn({ registrationId: result.registrationId }, 'correction stored but not signalled: self-repair re-sends the signal');
      return reply.status(result.created ? 201 : 200).send({ success: true, registration_id: result.registrationId, status: result.status });
    });
  }
};
