import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { chatWorkflowId, historyImportWorkflowId, legacyChatWorkflowId } from '../../domain/chat.ts';
import { whatsAppDigits } from '../../domain/phone.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import { erasureMessages } from '../../domain/texts/registration.ts';
import { chatMediaFolder, legacyChatMediaFolder } from '../../platform/storage/chat-media-key.ts';
import { registrationsOfDriver, tombstoneDriver, type DriverLookup } from '../../platform/stores/driver-data.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { operatorsOnly, reviewerGuard } from '../reviewer-auth.ts';
import { driverLookupBody, lookupOf } from './driver-lookup.ts';

/**
 * An erasure request answered (operators only): the driver, found by a registration, a NIF or a
 * phone, is told on WhatsApp (first, while their number is still known), their registrations'
 * workflows are ended, their documents and chat media deleted, and every registration becomes a
 * tombstone (id, dates and the decision reached; no personal field). Audited per registration. The
 * same NIF may register again at once. The chats' workflows are ended too, the workflows' runs
 * deleted from Temporal with their histories, the chats' Chatwoot contacts deleted (with their
 * conversations), and the data keys of the registrations and chats destroyed, so copies of their
 * files in backups no longer open.
 */
export const driverErasureRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  app.addHook('onRequest', reviewerGuard(deps.db, deps.config.REVIEWER_TOKENS, deps.config.OPERATOR_TOKENS, limits));
  app.addHook('preHandler', operatorsOnly);
  const erase = createEraseDriver(deps);
  app.post('/drivers/erase', { schema: { body: driverLookupBody } }, async (request) => erase(request, lookupOf(request.body)));
};

export interface ErasureResult {
  erased: string[];
  driver_told: boolean;
  chatwoot_contacts_deleted: number;
  temporal_histories_deleted: number;
}

/** The erasure itself, as the JSON route and the console's operators run it (the caller checked the role). */
export function createEraseDriver(deps: AppDependencies): (request: FastifyRequest, lookup: DriverLookup) => Promise<ErasureResult> {
  /**
   * The workflow ended, and every run of it deleted from Temporal with its history (the driver's
   * messages and data in it); Temporal removes them in the background. Returns how many runs.
   */
  async function eraseWorkflow(workflowId: string): Promise<number> {
    try {
      await deps.temporal.workflow.getHandle(workflowId).terminate('driver data erased on request');
    } catch (error) {
      // Never started, or already ended: nothing runs on the data.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    let runs = 0;
    for await (const execution of deps.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      await deps.temporal.workflowService.deleteWorkflowExecution({ namespace: deps.temporal.options.namespace, workflowExecution: { workflowId, runId: execution.runId } });
      runs += 1;
    }
    return runs;
  }

  return async function eraseDriver(request, lookup) {
    const registrations = await registrationsOfDriver(deps.db, deps.personal, lookup);
    if (registrations.length === 0) throw new AppError(ErrorType.NotFound, 'No registration holds that driver');
    const ids = registrations.map((row) => row.id);
    const latest = registrations.at(-1)!;
    const phone = whatsAppDigits(latest.phone);
    const chats = [...new Set([...registrations.flatMap((row) => (row.chat === null ? [] : [row.chat.whatsappChatId])), ...registrations.map((row) => `${whatsAppDigits(row.phone)}@c.us`)])];

    const told = deps.tellDriver === undefined ? false : await deps.tellDriver({
      chatId: latest.chat?.whatsappChatId ?? `${phone}@c.us`, phone, text: erasureMessages.erased(latest.fullName), key: `erasure:${latest.id}`,
    }).catch((error: unknown) => {
      request.log.warn({ err: error }, 'the driver could not be told of the erasure');
      return false;
    });
    // The registrations' workflows and the chats' (also one still running under a chat's former id,
    // which named the phone, and their history imports): the driver's next message starts afresh,
    // with a new Chatwoot contact.
    const workflows = [...ids.map(workflowIdOf), ...chats.flatMap((chatId) => [
      chatWorkflowId(deps.personal, chatId), legacyChatWorkflowId(chatId), historyImportWorkflowId(deps.personal, chatId),
    ])];
    let histories = 0;
    for (const workflowId of workflows) histories += await eraseWorkflow(workflowId);
    let chatwootContacts = 0;
    for (const chatId of chats) if (await deps.deleteChatwootContact?.(chatId)) chatwootContacts += 1;
    for (const id of ids) await deps.storage.deletePrefix(`registrations/${id}`);
    for (const chatId of chats) {
      for (const folder of [chatMediaFolder(deps.personal, chatId), legacyChatMediaFolder(chatId)]) await deps.storage.deletePrefix(folder);
    }
    await tombstoneDriver(deps.db, deps.personal, ids, chats);
    for (const id of ids) await audit(deps.db, request, { action: 'erase_driver', outcome: 'accepted', registrationId: id, details: { driver_told: told, chatwoot_contacts_deleted: chatwootContacts, temporal_histories_deleted: histories } });
    return { erased: ids, driver_told: told, chatwoot_contacts_deleted: chatwootContacts, temporal_histories_deleted: histories };
  };
}
