import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseWppConnectWebhook } from '../../integrations/wppconnect/webhook.ts';
import { bareMediaType } from '../../domain/chat.ts';
import { chatMediaKey } from '../../platform/storage/chat-media-key.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { authenticated, edgeGuard, refused, sameSecret } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { toInboundEvent } from '../../integrations/wppconnect/chat-event.ts';

/**
 * `POST /webhooks/wppconnect/:token`: WPPConnect cannot sign, so the URL carries a secret. A
 * message is answered 2xx only once it is durably in its chat's workflow (media stored first, so
 * only its key enters history). WPPConnect never retries; polling covers what is lost before this.
 */
export const wppconnectWebhookRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  const { config } = deps;
  // With autoDownload, onmessage (and onack) carry whole files as base64: room for media well past the
  // relay limit, so an oversized file still arrives and becomes a note for the agent instead of a lost
  // message. WPPCONNECT_WEBHOOK_BODY_MB, by default base64 of 3 × BRIDGE_MEDIA_MAX_MB plus 1 MiB of envelope.
  const bodyLimit = config.WPPCONNECT_WEBHOOK_BODY_MB;
  // The token is in the URL: checked in onRequest, so a stranger's body is never read.
  const guard = edgeGuard(limits, (request) => {
    const token = (request.params as { token?: string }).token ?? '';
    return config.WPPCONNECT_WEBHOOK_TOKEN !== undefined && sameSecret(token, config.WPPCONNECT_WEBHOOK_TOKEN) ? authenticated : refused('Unknown webhook token');
  });
  app.post('/webhooks/wppconnect/:token', { bodyLimit, onRequest: guard, schema: { params: z.object({ token: z.string() }) } }, async (request, reply) => {
    const event = parseWppConnectWebhook(request.body);
    if (event.kind === 'ack') {
      if (event.fromMe) await deps.chats.events(event.chatId, [{ kind: 'ack', whatsappId: event.messageId, ack: event.ack }]);
      return reply.send({ ok: true });
    }
    if (event.kind === 'session') request.log.info({ session: event.session, status: event.status }, 'WhatsApp session status');
    if (event.kind !== 'message') return reply.send({ ok: true });

    const { message } = event;
    const ignored = message.fromMe || message.chatId === 'status@broadcast' || (message.isGroupMsg && !config.BRIDGE_INCLUDE_GROUPS);
    if (ignored) return reply.send({ ok: true, relayed: false });
    let mediaKey: string | null = null;
    if (message.media !== undefined) {
      mediaKey = chatMediaKey(message.chatId, message.id);
      await deps.storage.put(mediaKey, Buffer.from(message.media.base64, 'base64'), bareMediaType(message.media.mimetype));
    }
    await deps.chats.events(message.chatId, [toInboundEvent(message, mediaKey)]);
    return reply.send({ ok: true, relayed: true });
  });
};
