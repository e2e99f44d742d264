/**
 * Conversations (Api::V1::Accounts::ConversationsController create and toggle_status), CONTRACTS.md §1.4.
 * "Lock to single conversation" is off, as it is by default on an API inbox.
 */
import type { FastifyInstance } from 'fastify';
import type { PreHandler } from '../auth.ts';
import { CouldNotCreate, RecordNotFound, RecordNotUnique } from '../rails-errors.ts';
import { restConversation } from '../rest-format.ts';
import type { StoreContext } from '../store-contacts.ts';
import { buildContactInbox, requireContact, requireConversation, requireInbox } from '../store-contacts.ts';
import { changeStatus, createConversation } from '../store-conversations.ts';
import type { ContactInboxRecord, ConversationStatus } from '../state.ts';

type Params = { account_id: string; conversation_id: string };
interface CreateBody {
  inbox_id?: unknown;
  contact_id?: unknown;
  source_id?: unknown;
  status?: unknown;
}

const STATUSES: readonly ConversationStatus[] = ['open', 'resolved', 'pending', 'snoozed'];

/** Rails enums raise ArgumentError on an unknown value, which nothing rescues: a 500. */
function statusOf(value: unknown): ConversationStatus {
  if (!STATUSES.includes(value as ConversationStatus)) throw new Error(`'${String(value)}' is not a valid status`);
  return value as ConversationStatus;
}

export function conversationRoutes(app: FastifyInstance, ctx: StoreContext, preHandler: PreHandler): void {
  const { state } = ctx;
  const base = '/api/v1/accounts/:account_id/conversations';

  app.post<{ Params: Params; Body: CreateBody | undefined }>(base, { preHandler }, (request) => {
    const body = request.body ?? {};
    const present = (value: unknown) => value !== undefined && value !== null && value !== '';
    if (present(body.inbox_id)) requireInbox(state, body.inbox_id);
    const contact = present(body.contact_id) ? requireContact(state, body.contact_id) : undefined;
    let link: ContactInboxRecord | undefined;
    if (present(body.inbox_id) && contact !== undefined) {
      try {
        link = buildContactInbox(state, contact, body.source_id);
      } catch (error) {
        throw error instanceof RecordNotUnique ? new CouldNotCreate('source_id should be unique') : error;
      }
    } else {
      // The old lookup by source_id alone, in any inbox.
      link = state.contactInboxes.find((candidate) => candidate.sourceId === String(body.source_id));
      if (link === undefined) throw new RecordNotFound();
    }
    const status = present(body.status) ? statusOf(body.status) : 'open';
    return restConversation(state, createConversation(ctx, link, status));
  });

  app.post<{ Params: Params; Body: { status?: unknown } | undefined }>(`${base}/:conversation_id/toggle_status`, { preHandler }, (request) => {
    const conversation = requireConversation(state, request.params.conversation_id);
    const wanted = request.body?.status;
    const status = wanted !== undefined && wanted !== '' ? statusOf(wanted) : conversation.status === 'open' ? 'resolved' : 'open';
    changeStatus(ctx, conversation, status, state.tokenUser.name);
    return {
      meta: {},
      payload: { success: true, conversation_id: conversation.id, current_status: conversation.status, snoozed_until: null },
    };
  });
}
