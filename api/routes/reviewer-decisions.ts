import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDependencies } from '../app-dependencies.ts';
import { createDecide } from '../decisions.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { reviewerGuard } from '../reviewer-auth.ts';
import { correctionBody, registrationParams, rejectBody } from './reviewer-schemas.ts';

/** Approve, reject or ask for a correction (api/decisions.ts: the workflow's Update, audited). */
export const reviewerDecisionRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  app.addHook('onRequest', reviewerGuard(deps.db, deps.config.REVIEWER_TOKENS, deps.config.OPERATOR_TOKENS, limits));
  const decide = createDecide(deps);

  app.post('/drivers/:id/approve', { schema: { params: registrationParams } }, async (request) =>
    decide(request, request.params.id, { kind: 'approve' }));

  app.post('/drivers/:id/reject', { schema: { params: registrationParams, body: rejectBody } }, async (request) =>
    decide(request, request.params.id, { kind: 'reject', reason: request.body.reason }));

  app.post('/drivers/:id/request-correction', { schema: { params: registrationParams, body: correctionBody } }, async (request) =>
    decide(request, request.params.id, { kind: 'request_correction', ...request.body }));
};
