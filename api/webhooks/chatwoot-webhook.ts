import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { decideChatwootWebhook } from '../../integrations/chatwoot/webhook.ts';
import { verifyChatwootSignature } from '../../integrations/chatwoot/signature.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/**
 * `POST /webhooks/chatwoot`: the API inbox's webhook. The signature is checked on the raw bytes;
 * agents' replies are handed to their chat's workflow and the answer goes back well inside
 * Chatwoot's 5-second timeout. A repeated delivery is harmless: the workflow dedupes by message id.
 */
export const chatwootWebhookRoutes = (deps: AppDependencies): FastifyPluginAsyncZod => async (app) => {
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

  app.post('/webhooks/chatwoot', async (request, reply) => {
    if (config.CHATWOOT_VERIFY_SIGNATURE) {
      const check = verifyChatwootSignature({
        secret: config.CHATWOOT_WEBHOOK_SECRET ?? '',
        rawBody: request.rawBody ?? Buffer.alloc(0),
        timestamp: request.headers['x-chatwoot-timestamp'] as string | undefined,
        signature: request.headers['x-chatwoot-signature'] as string | undefined,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      if (!check.ok || config.CHATWOOT_WEBHOOK_SECRET === undefined) {
        request.log.warn({ reason: check.ok ? 'no secret configured' : check.reason }, 'chatwoot webhook refused');
        throw new AppError(ErrorType.Unauthorized, 'Invalid webhook signature');
      }
    }
    const decision = decideChatwootWebhook(request.body, config.CHATWOOT_INBOX_ID ?? -1);
    if (!decision.forward) return reply.status(200).send({ ok: true, forwarded: false, reason: decision.why });
    if (decision.message.kind === 'control') {
      const taken = await deps.chats.control(decision.chatId, decision.message);
      return reply.status(200).send({ ok: true, forwarded: taken, ...(taken ? {} : { reason: 'no active chat' }) });
    }
    await deps.chats.events(decision.chatId, [decision.message]);
    return reply.status(200).send({ ok: true, forwarded: true });
  });
};
