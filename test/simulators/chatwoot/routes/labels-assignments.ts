/**
 * A conversation's labels and assignee (Conversations::LabelsController, ::AssignmentsController),
 * CONTRACTS.md §1.4. Labels: GET lists them, POST replaces the whole list (any title is taken:
 * v4.15.1 does not check them against the account's labels) and both answer `{payload: [...]}`.
 * Assignments: `assignee_id` of an account user assigns and answers the agent; one that is not a
 * user (or null) unassigns and answers `null`; this account has no teams or agent bots, so
 * `team_id` or `assignee_type: "AgentBot"` change nothing and answer `null` too.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PreHandler } from '../auth.ts';
import { agentJson } from '../rest-format.ts';
import type { StoreContext } from '../store-contacts.ts';
import { requireConversation } from '../store-contacts.ts';
import { assignConversation, labelsParam, setLabels } from '../store-labels-assignments.ts';

type Params = { account_id: string; conversation_id: string };

/** `render json: nil`. */
const renderNull = (reply: FastifyReply) => reply.type('application/json; charset=utf-8').send('null');

export function labelAndAssignmentRoutes(app: FastifyInstance, ctx: StoreContext, preHandler: PreHandler): void {
  const { state } = ctx;
  const base = '/api/v1/accounts/:account_id/conversations/:conversation_id';

  app.get<{ Params: Params }>(`${base}/labels`, { preHandler }, (request) => ({
    payload: requireConversation(state, request.params.conversation_id).labels,
  }));

  app.post<{ Params: Params; Body: { labels?: unknown } | undefined }>(`${base}/labels`, { preHandler }, (request) => {
    const conversation = requireConversation(state, request.params.conversation_id);
    setLabels(ctx, conversation, labelsParam(request.body?.labels), state.tokenUser);
    return { payload: conversation.labels };
  });

  app.post<{ Params: Params; Body: Record<string, unknown> | undefined }>(`${base}/assignments`, { preHandler }, (request, reply) => {
    const conversation = requireConversation(state, request.params.conversation_id);
    const body = request.body ?? {};
    if (!('assignee_id' in body) || body.assignee_type === 'AgentBot') return renderNull(reply);
    const wanted = body.assignee_id;
    const id = typeof wanted === 'number' || typeof wanted === 'string' ? String(wanted) : undefined;
    const assignee = state.users.find((user) => String(user.id) === id) ?? null;
    assignConversation(ctx, conversation, assignee, state.tokenUser);
    return assignee === null ? renderNull(reply) : agentJson(state, assignee);
  });
}
