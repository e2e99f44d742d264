/**
 * Chats and polling (deviceController): all-new-messages, list-chats,
 * message-by-id, send-seen.
 *
 * all-new-messages is wppconnect's getAllNewMessages: every message flagged
 * `isNewMsg` (received or sent during this session) of every chat that still has
 * unread messages. It is not a queue: the same messages come back on every call
 * until the chat is read — by a 2xx to its onmessage webhook (readMessage), by
 * send-seen, or by sending into it.
 */
import type { FastifyInstance } from 'fastify';
import { contactToArray } from '../addressing.ts';
import { verifyToken } from '../auth.ts';
import type { SimChat, SimulatorState } from '../state.ts';
import { findMessage } from '../state.ts';
import { statusConnection } from '../status-connection.ts';

type Session = { Params: { session: string } };

interface ListChatsBody {
  id?: unknown;
  count?: unknown;
  direction?: unknown;
  onlyGroups?: unknown;
  onlyUsers?: unknown;
  onlyWithUnreadMessage?: unknown;
}

const lastActivity = (chat: SimChat): number => chat.messages.at(-1)?.t ?? 0;

function wid(id: string): { server: string; user: string; _serialized: string } {
  const [user = '', server = ''] = id.split('@');
  return { server, user, _serialized: id };
}

function serializeChat(state: SimulatorState, chat: SimChat): Record<string, unknown> {
  return {
    id: wid(chat.id),
    t: lastActivity(chat),
    unreadCount: chat.unreadCount,
    archive: false,
    isReadOnly: false,
    muteExpiration: 0,
    notSpam: true,
    pin: 0,
    kind: chat.isGroup ? 'group' : 'chat',
    isBroadcast: false,
    isGroup: chat.isGroup,
    isUser: !chat.isGroup,
    contact: { id: chat.id, pushname: state.pushnames.get(chat.id) ?? null, isMe: false, isUser: !chat.isGroup },
    groupMetadata: null,
    msgs: null,
  };
}

/** Chats as WhatsApp Web's store orders them: latest activity first. */
const byActivity = (state: SimulatorState): SimChat[] => [...state.chats.values()].sort((a, b) => lastActivity(b) - lastActivity(a));

export function chatRoutes(app: FastifyInstance, state: SimulatorState): void {
  const preHandler = [verifyToken(state), statusConnection(state)];

  app.get<Session>('/api/:session/all-new-messages', { preHandler }, (_request, reply) => {
    const response = byActivity(state)
      .filter((chat) => chat.unreadCount > 0)
      .flatMap((chat) => chat.messages.filter((message) => message.isNewMsg));
    return reply.code(200).send({ status: 'success', response });
  });

  app.post<Session & { Body: ListChatsBody | undefined }>('/api/:session/list-chats', { preHandler }, (request, reply) => {
    const options = request.body ?? {};
    let chats = byActivity(state);
    if (options.onlyGroups === true) chats = chats.filter((chat) => chat.isGroup);
    if (options.onlyUsers === true) chats = chats.filter((chat) => !chat.isGroup);
    if (options.onlyWithUnreadMessage === true) chats = chats.filter((chat) => chat.unreadCount > 0);
    if (typeof options.id === 'string') {
      const index = chats.findIndex((chat) => chat.id === options.id);
      chats = options.direction === 'before' ? chats.slice(0, Math.max(index, 0)) : chats.slice(index + 1);
    }
    if (typeof options.count === 'number' && options.count >= 0) chats = chats.slice(0, options.count);
    return reply.code(200).send(chats.map((chat) => serializeChat(state, chat)));
  });

  app.get<{ Params: { session: string; messageId: string } }>(
    '/api/:session/message-by-id/:messageId',
    { preHandler },
    (request, reply) => {
      const message = findMessage(state, request.params.messageId);
      if (message === undefined) {
        return reply.code(400).send({
          status: 'Error',
          response: { message: 'Error retrieving information', session: state.session, log: {} },
        });
      }
      // getMessageById gives the chat id as a Wid; the controller answers its user part as `contact`.
      const data = { ...message, chatId: wid(message.chatId) };
      return reply.code(201).send({
        status: 'Success',
        response: { message: 'Information retrieved successfully.', contact: data.chatId.user, session: state.session, data },
      });
    },
  );

  app.post<Session & { Body: Record<string, unknown> | undefined }>('/api/:session/send-seen', { preHandler }, (request, reply) => {
    const body = request.body ?? {};
    const ids = contactToArray(body.phone, body);
    const chats = ids.map((id) => state.chats.get(id));
    if (ids.length === 0 || chats.some((chat) => chat === undefined)) {
      return reply.code(400).send({
        status: 'Error',
        response: { message: 'Error retrieving information', session: state.session, log: {} },
      });
    }
    for (const chat of chats) if (chat !== undefined) chat.unreadCount = 0;
    return reply.code(201).send({
      status: 'Success',
      response: { message: 'Information retrieved successfully.', contact: ids, session: state.session, data: ids.map(() => true) },
    });
  });
}
