/**
 * Contacts (Api::V1::Accounts::ContactsController and its nested controllers), CONTRACTS.md §1.2-§1.3.
 */
import type { FastifyInstance } from 'fastify';
import type { PreHandler } from '../auth.ts';
import { filterContacts } from '../contact-filter.ts';
import { restContact, restConversation, slimInbox } from '../rest-format.ts';
import type { NewContact, StoreContext } from '../store-contacts.ts';
import { buildContactInbox, insertContact, requireContact, requireInbox, updateContact, validateContact } from '../store-contacts.ts';

type Params = { account_id: string; id: string };
const RESULTS_PER_PAGE = 15;

export function contactRoutes(app: FastifyInstance, ctx: StoreContext, preHandler: PreHandler): void {
  const { state } = ctx;
  const base = '/api/v1/accounts/:account_id/contacts';

  app.post<{ Params: Params; Body: (NewContact & { inbox_id?: unknown; source_id?: unknown }) | undefined }>(base, { preHandler }, (request) => {
    const body = request.body ?? {};
    const contact = insertContact(state, validateContact(state, body));
    // One transaction in Chatwoot: a missing inbox or a taken source_id undoes the contact.
    try {
      const hasInbox = body.inbox_id !== undefined && body.inbox_id !== null && body.inbox_id !== '';
      if (hasInbox) requireInbox(state, body.inbox_id);
      const link = hasInbox ? buildContactInbox(state, contact, body.source_id) : undefined;
      return {
        payload: {
          contact: restContact(state, contact),
          contact_inbox: link === undefined ? null : { inbox: slimInbox(state), source_id: link.sourceId },
        },
      };
    } catch (error) {
      state.contacts.splice(state.contacts.indexOf(contact), 1);
      throw error;
    }
  });

  app.post<{ Params: Params; Body: { payload?: unknown } | undefined; Querystring: { page?: string } }>(
    `${base}/filter`,
    { preHandler },
    (request) => {
      const found = filterContacts(state, request.body?.payload);
      const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
      const shown = found.slice((page - 1) * RESULTS_PER_PAGE, page * RESULTS_PER_PAGE);
      return { meta: { count: found.length, current_page: request.query.page ?? 1 }, payload: shown.map((c) => restContact(state, c)) };
    },
  );

  app.post<{ Params: Params; Body: { inbox_id?: unknown; source_id?: unknown } | undefined }>(
    `${base}/:id/contact_inboxes`,
    { preHandler },
    (request) => {
      const contact = requireContact(state, request.params.id);
      requireInbox(state, request.body?.inbox_id);
      const link = buildContactInbox(state, contact, request.body?.source_id);
      return { source_id: link.sourceId, inbox: slimInbox(state) };
    },
  );

  // Contact#destroy (swagger: DELETE /contacts/{id}, 200 with no body; 404 for an unknown id). In
  // Chatwoot's Contact model its contact inboxes and conversations, with their messages, are
  // `dependent: :destroy_async`: they go with it.
  // Show and update (§1.2): `{payload: <contact>}`.
  app.get<{ Params: Params }>(`${base}/:id`, { preHandler }, (request) => ({ payload: restContact(state, requireContact(state, request.params.id)) }));

  app.put<{ Params: Params; Body: NewContact | undefined }>(`${base}/:id`, { preHandler }, (request) => {
    const contact = requireContact(state, request.params.id);
    updateContact(contact, request.body ?? {});
    return { payload: restContact(state, contact) };
  });

  app.delete<{ Params: Params }>(`${base}/:id`, { preHandler }, (request, reply) => {
    const contact = requireContact(state, request.params.id);
    const conversations = new Set(state.conversations.filter((conversation) => conversation.contactId === contact.id).map((conversation) => conversation.id));
    const keep = <T>(list: T[], kept: (item: T) => boolean) => list.splice(0, list.length, ...list.filter(kept));
    keep(state.messages, (message) => !conversations.has(message.conversationId));
    keep(state.conversations, (conversation) => !conversations.has(conversation.id));
    keep(state.contactInboxes, (link) => link.contactId !== contact.id);
    keep(state.contacts, (each) => each !== contact);
    return reply.code(200).send();
  });

  // All inboxes, newest activity first, at most 20.
  app.get<{ Params: Params }>(`${base}/:id/conversations`, { preHandler }, (request) => {
    const contact = requireContact(state, request.params.id);
    const conversations = state.conversations
      .filter((conversation) => conversation.contactId === contact.id)
      .sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || b.id - a.id)
      .slice(0, 20);
    return { payload: conversations.map((conversation) => restConversation(state, conversation)) };
  });
}
