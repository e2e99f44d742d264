import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chatIdOfPhone } from '../../domain/chat.ts';
import { AppError, ErrorType } from '../../domain/errors.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { findChatWorkflow } from '../hand-offs/chat.ts';
import { startBackfill } from '../hand-offs/history-import.ts';
import { operatorsOnly, reviewerGuard } from '../reviewer-auth.ts';

const chatLookupBody = z.object({ phone: z.string().max(32) });
const historyImportBody = z.union([
  z.object({ phone: z.string().max(32), days: z.number().int().min(1).max(365).optional() }).strict(),
  z.object({ all: z.literal(true), days: z.number().int().min(1).max(365).optional() }).strict(),
]);

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

  /**
   * A backfill of a chat's WhatsApp history into its Chatwoot conversation (`phone`), or of every
   * chat's (`all`), over the last `days` days (default BRIDGE_HISTORY_IMPORT_DAYS, else 7): what was
   * relayed already is skipped. 202 with the workflow's id; 409 while one for the same is running.
   */
  app.post('/chats/history-import', { schema: { body: historyImportBody } }, async (request, reply) => {
    // Without the bridge no worker takes imports: nothing is started that would wait forever.
    if (deps.config.CHATWOOT_URL === undefined) throw new AppError(ErrorType.NotFound, 'The bridge is not configured here (CHATWOOT_URL is not set): there is no Chatwoot to import into');
    const body = request.body;
    const chatId = 'phone' in body ? chatIdOfPhone(body.phone) : undefined;
    if (chatId === null) throw new AppError(ErrorType.MalformedPayload, 'phone is not a phone number with its country code (or a Portuguese one)');
    const { workflowId: started, days } = await startBackfill(deps.temporal, deps.personal, deps.config, { chatId, days: body.days });
    await audit(deps.db, request, { action: 'import_history', outcome: started === null ? 'refused' : 'accepted', registrationId: null, details: { all: chatId === undefined, days } });
    if (started === null) throw new AppError(ErrorType.AlreadyRunning, 'A history import of that chat (or of every chat) is running already; wait for it to end');
    return reply.code(202).send({ workflow_id: started, days });
  });
};
