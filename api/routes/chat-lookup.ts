import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chatIdOfPhone } from '../../domain/chat.ts';
import { AppError, ErrorType } from '../../domain/errors.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { findChatWorkflow } from '../hand-offs/chat.ts';
import { operatorsOnly, reviewerGuard } from '../reviewer-auth.ts';

const chatLookupBody = z.object({ phone: z.string().max(32) });

/**
 * A chat's workflow found from its phone (operators only): Temporal's ids are keyed hashes, so the
 * Web UI cannot be searched by phone. The phone comes in the body, never the URL (which is logged). Audited.
 */
export const chatLookupRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  app.addHook('onRequest', reviewerGuard(deps.db, deps.config.REVIEWER_TOKENS, deps.config.OPERATOR_TOKENS, limits));
  app.addHook('preHandler', operatorsOnly);

  app.post('/chats/find', { schema: { body: chatLookupBody } }, async (request) => {
    const chatId = chatIdOfPhone(request.body.phone);
    if (chatId === null) throw new AppError(ErrorType.MalformedPayload, 'phone is not a phone number with its country code (or a Portuguese one)');
    const found = await findChatWorkflow(deps.temporal, deps.personal, chatId);
    await audit(deps.db, request, { action: 'find_chat', outcome: found === null ? 'refused' : 'accepted', registrationId: null });
    if (found === null) throw new AppError(ErrorType.NotFound, 'No chat workflow for that phone');
    return { workflow_id: found.workflowId, status: found.status };
  });
};
