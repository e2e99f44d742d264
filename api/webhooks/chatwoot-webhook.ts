import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { agentReplyDeliveryKeys } from '../../domain/chat.ts';
import { replyParts } from '../../platform/stores/deliveries.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { createAgentInbox } from '../hand-offs/agent-inbox.ts';
import { authenticated, deferred, edgeGuard, refused, sameSecret, type Authentication } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { EdgeRefusal, unauthorized } from '../edge/refusals.ts';
import { agentTyping, decideChatwootWebhook } from '../../integrations/chatwoot/webhook.ts';
import { createAgentTypingRelay } from './agent-typing.ts';
import { verifyChatwootSignature } from '../../integrations/chatwoot/signature.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/**
 * `POST /webhooks/chatwoot` (signed) and `POST /webhooks/chatwoot/<token>`: the API inbox's webhook.
 * With CHATWOOT_VERIFY_SIGNATURE (Chatwoot 4.13+) the signature is checked on the raw bytes (so after
 * reading, within a small body limit); without it, only the URL with CHATWOOT_WEBHOOK_TOKEN is
 * accepted, checked in onRequest before the body is read. Agents' replies (and what agents do around
 * the bot) are kept in PostgreSQL and answered at once, well inside Chatwoot's 5-second timeout,
 * Temporal up or not; they reach their chat's workflow from there. A repeated delivery is harmless:
 * it is kept once, and the workflow dedupes by message id.
 */
export const chatwootWebhookRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  const { config } = deps;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')) as unknown);
    } catch {
      done(new AppError(ErrorType.MalformedPayload, 'Body is not valid JSON'), undefined);
    }
  });

  /** The signature is checked once the body is read; before that, only whether one is presented. */
  const signed = (request: FastifyRequest): Authentication => {
    if (!config.CHATWOOT_VERIFY_SIGNATURE || config.CHATWOOT_WEBHOOK_SECRET === undefined) return refused('Webhook signatures are not configured; use the token URL');
    return request.headers['x-chatwoot-signature'] === undefined ? refused('Invalid webhook signature') : deferred;
  };
  const withToken = (request: FastifyRequest): Authentication => {
    const token = (request.params as { token?: string }).token ?? '';
    if (config.CHATWOOT_WEBHOOK_TOKEN === undefined || !sameSecret(token, config.CHATWOOT_WEBHOOK_TOKEN)) return refused('Unknown webhook token');
    // With signatures on, the token URL also needs the signature (checked after reading).
    return config.CHATWOOT_VERIFY_SIGNATURE ? signed(request) : authenticated;
  };

  async function verifySignature(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (!config.CHATWOOT_VERIFY_SIGNATURE) return;
    const check = verifyChatwootSignature({
      secret: config.CHATWOOT_WEBHOOK_SECRET ?? '',
      rawBody: request.rawBody ?? Buffer.alloc(0),
      timestamp: request.headers['x-chatwoot-timestamp'] as string | undefined,
      signature: request.headers['x-chatwoot-signature'] as string | undefined,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!check.ok || config.CHATWOOT_WEBHOOK_SECRET === undefined) {
      request.log.warn({ reason: check.ok ? 'no secret configured' : check.reason }, 'chatwoot webhook refused');
      // A forged or replayed signature counts against the address like a wrong token.
      const count = await limits.address(request);
      if (count.exceeded) throw edgeRateLimited(count.retryAfterSeconds);
      throw unauthorized('Invalid webhook signature');
    }
  }

  // Kept before the answer, handed to the chat's workflow from there (agent-inbox.ts): Chatwoot never redelivers.
  const inbox = createAgentInbox(deps.db, deps.personal, deps.chats, {
    queue: config.BRIDGE_TASK_QUEUE, log: (fields, message) => app.log.warn(fields, message),
  });
  app.addHook('onReady', async () => inbox.start());
  app.addHook('onClose', async () => inbox.stop());

  const typing = deps.showTyping === undefined || !config.BRIDGE_TYPING ? undefined : createAgentTypingRelay({
    show: deps.showTyping, log: (fields, message) => app.log.warn(fields, message),
  });
  app.addHook('onClose', async () => typing?.close());

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const typed = agentTyping(request.body, config.CHATWOOT_INBOX_ID ?? -1);
    if (typed !== null) {
      await typing?.typing(typed.chatId, typed.typing);
      return reply.status(200).send({ ok: true, forwarded: typing !== undefined });
    }
    // A message_updated that may be a retry is told from the next by its delivery (Chatwoot's, or one made up for older, unsigned ones).
    const delivery = request.headers['x-chatwoot-delivery'];
    const decision = decideChatwootWebhook(request.body, config.CHATWOOT_INBOX_ID ?? -1, typeof delivery === 'string' && delivery !== '' ? delivery : randomUUID());
    if (!decision.forward) return reply.status(200).send({ ok: true, forwarded: false, reason: decision.why });
    // Most updates are statuses (the bridge's own among them): only a reply WhatsApp has not wholly got is retried.
    if (decision.message.kind === 'outbound' && decision.message.retry !== undefined && await wholeReplySent(decision.chatId, decision.message.chatwootMessageId)) {
      return reply.status(200).send({ ok: true, forwarded: false, reason: 'already on WhatsApp' });
    }
    await inbox.keep(decision.chatId, decision.message);
    // Not waited for: the reply is kept, and Chatwoot marks it failed if this answer takes over 5 s.
    if (decision.message.kind === 'outbound' && decision.message.retry === undefined) void typing?.replied(decision.chatId);
    return reply.status(200).send({ ok: true, forwarded: true });
  };

  /** Every part of the reply the bridge claimed went to WhatsApp (none claimed: it never got there). */
  const wholeReplySent = async (chatId: string, chatwootMessageId: number) => {
    const parts = await replyParts(deps.db, deps.personal, chatId, agentReplyDeliveryKeys(chatId, chatwootMessageId));
    return parts.length > 0 && parts.every((part) => part.status === 'sent');
  };

  const bodyLimit = config.CHATWOOT_WEBHOOK_BODY_MB;
  app.post('/webhooks/chatwoot', { bodyLimit, onRequest: edgeGuard(limits, signed), preHandler: verifySignature }, handle);
  app.post('/webhooks/chatwoot/:token', { bodyLimit, onRequest: edgeGuard(limits, withToken), preHandler: verifySignature }, handle);
};

const edgeRateLimited = (retryAfterSeconds: number) =>
  new EdgeRefusal(ErrorType.RateLimited, 'Too many requests from this address; retry later', 'rate_limited_address', retryAfterSeconds);
