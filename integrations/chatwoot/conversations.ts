/**
 * Conversations, their labels and messages of the API inbox (CONTRACTS.md §1.4, §1.5).
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ErrorType } from '../../domain/errors.ts';
import type { ChatwootClient } from './types.ts';
import { messageBody } from './message-body.ts';
import {
  conversationCreated,
  conversationLabels,
  conversationList,
  messageCreated,
  messageList,
  statusToggled,
  toConversation,
  toMessage,
} from './schemas.ts';
import type { ChatwootTransport } from './transport.ts';

type ConversationOperations = Pick<
  ChatwootClient,
  | 'contactConversations'
  | 'createConversation'
  | 'setConversationStatus'
  | 'conversationLabels'
  | 'setConversationLabels'
  | 'createMessage'
  | 'messages'
  | 'setMessageStatus'
>;

/** The PATCH answers the message; only that it is one matters. */
const anyMessage = z.looseObject({ id: z.number() });

export function conversationOperations(transport: ChatwootTransport, inboxId: number): ConversationOperations {
  return {
    async contactConversations(contactId) {
      const { payload } = await transport.send('GET', `contacts/${contactId}/conversations`, conversationList);
      // All inboxes come back; Chatwoot already orders them by last activity, newest first.
      return payload
        .filter((conversation) => conversation.inbox_id === inboxId)
        .sort((a, b) => (b.last_activity_at ?? 0) - (a.last_activity_at ?? 0))
        .map((conversation) => toConversation(conversation));
    },

    async createConversation({ contactId, sourceId }) {
      const body = { inbox_id: inboxId, contact_id: contactId, source_id: sourceId };
      const created = await transport.send('POST', 'conversations', conversationCreated, { json: body });
      return toConversation(created, sourceId);
    },

    async setConversationStatus(conversationId, status) {
      const { payload } = await transport.send('POST', `conversations/${conversationId}/toggle_status`, statusToggled, {
        json: { status },
      });
      if (payload.current_status !== status) {
        throw ApplicationFailure.nonRetryable(
          `Chatwoot left conversation ${conversationId} ${payload.current_status}, not ${status}`,
          ErrorType.ExternalServiceRejected,
        );
      }
    },

    async conversationLabels(conversationId) {
      const { payload } = await transport.send('GET', `conversations/${conversationId}/labels`, conversationLabels);
      return payload;
    },

    async setConversationLabels(conversationId, labels) {
      const { payload } = await transport.send('POST', `conversations/${conversationId}/labels`, conversationLabels, { json: { labels } });
      return payload;
    },

    async createMessage(conversationId, message) {
      const body = messageBody(message);
      return toMessage(await transport.send('POST', `conversations/${conversationId}/messages`, messageCreated, body));
    },

    async messages(conversationId, opts = {}) {
      const query = new URLSearchParams();
      if (opts.before !== undefined) query.set('before', String(opts.before));
      if (opts.after !== undefined) query.set('after', String(opts.after));
      const search = query.toString();
      const path = `conversations/${conversationId}/messages${search === '' ? '' : `?${search}`}`;
      const { payload } = await transport.send('GET', path, messageList);
      return payload.map(toMessage);
    },

    async setMessageStatus(conversationId, messageId, status, externalError) {
      if (externalError !== undefined && status !== 'failed') {
        throw ApplicationFailure.nonRetryable('an external error goes only with the failed status', ErrorType.ValidationFailed);
      }
      const body: Record<string, string> = { status };
      if (externalError !== undefined) body.external_error = externalError;
      await transport.send('PATCH', `conversations/${conversationId}/messages/${messageId}`, anyMessage, { json: body });
    },
  };
}
