import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseWppConnectWebhook } from '../../integrations/wppconnect/webhook.ts';
import type { FastifyBaseLogger } from 'fastify';
import { bareMediaType, ChatQueueFullError, isGroupChatId, isWhatsAppChatId, type InboundMessage } from '../../domain/chat.ts';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { chatMediaKey } from '../../platform/storage/chat-media-key.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { authenticated, edgeGuard, refused, sameSecret } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { createChatTurns } from '../hand-offs/chat-turns.ts';
import { isRelayable, toInboundEvent } from '../../integrations/wppconnect/chat-event.ts';

const notAChat = (chatId: string) =>
  new AppError(ErrorType.MalformedPayload, 'The chat is not a WhatsApp chat id (digits@c.us, digits@lid or id@g.us)', { chatId: chatId.slice(0, 100) });

const queueFullRetryAfterSeconds = 30;
/** Chats remembered as refused at most; past it the oldest is forgotten (its refused messages then come by polling only). */
const refusedChatsMax = 10_000;
/** A chat's webhooks waiting for their turn at most; past it they are refused like a full queue's, and polling brings them. */
const chatTurnsMax = 50;

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
  /**
   * Chats whose message this process could not hand over (Temporal or PostgreSQL away: 5xx), each with
   * the refusal's number. WPPConnect never retries, so polling brings those messages, possibly after later
   * ones whose webhooks were answered; instead the chat's next message brings them along, read from
   * WhatsApp, oldest first. Only such a chat's next message costs a WPPConnect read and a query.
   */
  const refusedChats = new Map<string, number>();
  const turns = createChatTurns();
  let refusals = 0;
  const missedBefore = async (chatId: string, event: InboundMessage, log: FastifyBaseLogger): Promise<InboundMessage[]> => {
    if (deps.missedMessages === undefined || !refusedChats.has(chatId)) return [];
    try {
      return await deps.missedMessages(chatId, event);
    } catch (error) {
      // WPPConnect unreachable: this message goes alone (in order or not, nothing is lost: polling has the rest).
      // Only the error's name: the client's message names the route, and the route holds the phone.
      log.warn({ error: error instanceof Error ? error.name : 'unknown' }, 'could not read the messages a refused webhook left behind');
      return [];
    }
  };
  app.post('/webhooks/wppconnect/:token', { bodyLimit, onRequest: guard, schema: { params: z.object({ token: z.string() }) } }, async (request, reply) => {
    const event = parseWppConnectWebhook(request.body);
    if (event.kind === 'ack') {
      if (event.fromMe && !isWhatsAppChatId(event.chatId)) throw notAChat(event.chatId);
      if (event.fromMe) await deps.chats.events(event.chatId, [{ kind: 'ack', whatsappId: event.messageId, ack: event.ack }]);
      return reply.send({ ok: true });
    }
    if (event.kind === 'reaction' || event.kind === 'revoke') {
      // What the driver does to a message (the company's own, from its phone, is not relayed), in the chat's order.
      const relayed = !event.fromMe && (config.BRIDGE_INCLUDE_GROUPS || !isGroupChatId(event.chatId));
      if (!relayed) return reply.send({ ok: true, relayed: false });
      if (!isWhatsAppChatId(event.chatId)) throw notAChat(event.chatId);
      await deps.chats.events(event.chatId, [event.kind === 'reaction'
        ? { kind: 'reaction', reactionId: event.reactionId, targetWhatsappId: event.messageId, emoji: event.emoji, at: event.at }
        : { kind: 'revoke', targetWhatsappId: event.messageId }]);
      return reply.send({ ok: true, relayed: true });
    }
    if (event.kind === 'session') {
      request.log.info({ session: event.session, status: event.status }, 'WhatsApp session status');
      await deps.sessionChanged?.(event.status);
    }
    if (event.kind !== 'message') return reply.send({ ok: true });

    const { message } = event;
    if (!isRelayable(message, config.BRIDGE_INCLUDE_GROUPS)) return reply.send({ ok: true, relayed: false });
    // The chat id names the workflow and, through it, every WPPConnect call: only a real chat's.
    if (!isWhatsAppChatId(message.chatId)) throw notAChat(message.chatId);
    // Backpressure: the chat's queue is full; polling fetches this message from WhatsApp once it drains.
    // Checked before the media is stored, so a refused message leaves no file behind.
    const queueFull = () => reply.status(503).header('retry-after', String(queueFullRetryAfterSeconds)).send({ ok: false, error: 'This chat\'s queue is full; retry later' });
    // A chat whose queue is full, or whose webhooks pile up here faster than they are handed off (each holds its body).
    if (deps.chats.full(message.chatId) || turns.waiting(message.chatId) >= chatTurnsMax) return queueFull();
    // In turn with the chat's other messages: handed off in WhatsApp's order (chat-turns.ts).
    return turns.take(message.chatId, message.timestamp, async () => {
      let mediaKey: string | null = null;
      if (message.media !== undefined) {
        mediaKey = chatMediaKey(deps.personal, message.chatId, message.id);
        await deps.storage.put(mediaKey, Buffer.from(message.media.base64, 'base64'), bareMediaType(message.media.mimetype));
      }
      const inbound = toInboundEvent(message, mediaKey);
      const refusal = refusedChats.get(message.chatId);
      try {
        await deps.chats.events(message.chatId, [...await missedBefore(message.chatId, inbound, request.log), inbound]);
      } catch (error) {
        // The chat filled up between the look and the hand-off: its media key is the message's own, and
        // the same message fetched by polling stores the same file again, so nothing is deleted here.
        if (error instanceof ChatQueueFullError) return queueFull();
        refusedChats.delete(message.chatId);
        refusedChats.set(message.chatId, ++refusals);
        if (refusedChats.size > refusedChatsMax) refusedChats.delete(refusedChats.keys().next().value!);
        throw error;
      }
      // Caught up, unless another of its messages was refused meanwhile.
      if (refusal !== undefined && refusedChats.get(message.chatId) === refusal) refusedChats.delete(message.chatId);
      return reply.send({ ok: true, relayed: true });
    });
  });
};
