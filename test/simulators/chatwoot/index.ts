/**
 * A stand-in for Chatwoot v4.15.1's Application API and API-channel inbox (CONTRACTS.md §1)
 * for end-to-end tests and the newcomers' sandbox: same paths, auth, bodies and webhooks
 * (signed like 4.13+, or not). When a client disagrees with it, fix the client.
 */
import { buildChatwootApp } from './app.ts';
import type { ChatwootFaults } from './faults.ts';
import type { StoreContext } from './store-contacts.ts';
import { requireConversation } from './store-contacts.ts';
import type { UploadedFile } from './store-conversations.ts';
import { changeStatus, createMessage, updateMessageStatus } from './store-conversations.ts';
import type { ContactRecord, ConversationRecord, MessageRecord, RequestRecord } from './state.ts';
import { createSimulatorState } from './state.ts';
import type { WebhookDelivery } from './webhooks.ts';
import { WebhookDispatcher } from './webhooks.ts';

export type { ChatwootFaults, FaultStatus } from './faults.ts';
export type { AttachmentRecord, ContactRecord, ConversationRecord, MessageRecord, RequestRecord } from './state.ts';
export type { WebhookDelivery } from './webhooks.ts';

export type ContactView = ContactRecord & { sourceIds: string[] };

export interface ChatwootSimulator {
  /** Base URL (also the FRONTEND_URL of data_url), e.g. http://127.0.0.1:PORT */
  url: string;
  accountId: number;
  inboxId: number;
  apiToken: string;
  /** The API inbox channel's `secret`. */
  webhookSecret: string;
  setWebhookUrl(url: string | undefined): void;
  /** false = Chatwoot older than 4.13: no X-Chatwoot-* headers at all. */
  signWebhooks: boolean;
  contacts(): ReadonlyArray<ContactView>;
  conversations(): ReadonlyArray<ConversationRecord>;
  /** Oldest first, activity lines included. */
  messages(conversationId: number): ReadonlyArray<MessageRecord>;
  /** An agent replies in the inbox UI: an outgoing message (optionally private, with files), then message_created. */
  agentReply(
    conversationId: number,
    reply: { content?: string; private?: boolean; attachments?: UploadedFile[]; agentName?: string },
  ): Promise<{ messageId: number }>;
  /** As an agent; fires conversation_status_changed. */
  resolve(conversationId: number): Promise<void>;
  /** As an administrator in the UI: the conversation and its messages are gone; later calls on it answer 404. */
  deleteConversation(conversationId: number): void;
  /** Every webhook POST made, in order. */
  webhookDeliveries: ReadonlyArray<WebhookDelivery>;
  /** Resolves once every webhook queued so far (and any it caused) has been delivered or has failed. */
  webhooksIdle(): Promise<void>;
  /** Every answered API request, in order (route patterns, no tokens). */
  requests: ReadonlyArray<RequestRecord>;
  faults: ChatwootFaults;
  close(): Promise<void>;
}

export interface ChatwootSimulatorOptions {
  port?: number;
  host?: string;
  /** Default 1. */
  accountId?: number;
  /** Default 7. */
  inboxId?: number;
  /** Default test-chatwoot-token. */
  apiToken?: string;
  /** Default test-chatwoot-webhook-secret. */
  webhookSecret?: string;
  webhookUrl?: string;
  /** Default true (Chatwoot 4.13+). */
  signWebhooks?: boolean;
  /** WEBHOOK_TIMEOUT, default 5000. */
  webhookTimeoutMs?: number;
  /** Called synchronously as each message is created through the API or an agent's reply (benchmarks time arrivals with it). */
  onMessageCreated?: (message: MessageRecord) => void;
}

function removeWhere<T>(records: T[], doomed: (record: T) => boolean): void {
  for (let index = records.length - 1; index >= 0; index--) if (doomed(records[index]!)) records.splice(index, 1);
}

const AGENT = { id: 2, name: 'Ana (Suporte)', email: 'ana@example.test' };

export async function startChatwootSimulator(opts: ChatwootSimulatorOptions = {}): Promise<ChatwootSimulator> {
  const state = createSimulatorState({ accountId: opts.accountId ?? 1, inboxId: opts.inboxId ?? 7, apiToken: opts.apiToken ?? 'test-chatwoot-token' });
  const closing = new AbortController();
  const settings = {
    url: opts.webhookUrl,
    secret: opts.webhookSecret ?? 'test-chatwoot-webhook-secret',
    sign: opts.signWebhooks ?? true,
    timeoutMs: opts.webhookTimeoutMs ?? 5_000,
  };
  const ctx: StoreContext = { state, emit: (payload) => webhooks.enqueue(payload), onMessageCreated: opts.onMessageCreated };
  const markFailed = (messageId: number, error: string) => {
    const message = state.messages.find((candidate) => candidate.id === messageId);
    if (message !== undefined) updateMessageStatus(ctx, message, 'failed', error);
  };
  const webhooks = new WebhookDispatcher(settings, state.faults, markFailed, closing.signal);
  const { app } = buildChatwootApp(ctx, closing.signal);
  const url = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  state.publicUrl = url;

  return {
    url,
    accountId: state.account.id,
    inboxId: state.inbox.id,
    apiToken: state.apiToken,
    webhookSecret: settings.secret,
    setWebhookUrl(webhookUrl) {
      settings.url = webhookUrl;
    },
    get signWebhooks() {
      return settings.sign;
    },
    set signWebhooks(sign: boolean) {
      settings.sign = sign;
    },
    contacts: () =>
      state.contacts.map((contact) => ({
        ...contact,
        sourceIds: state.contactInboxes.filter((link) => link.contactId === contact.id).map((link) => link.sourceId),
      })),
    conversations: () => state.conversations,
    messages: (conversationId) => state.messages.filter((message) => message.conversationId === conversationId),
    async agentReply(conversationId, reply) {
      const conversation = requireConversation(state, conversationId);
      const message = createMessage(ctx, conversation, {
        messageType: 'outgoing',
        content: reply.content ?? null,
        private: reply.private ?? false,
        sourceId: null,
        contentAttributes: {},
        sender: { type: 'user', ...AGENT, name: reply.agentName ?? AGENT.name },
        files: reply.attachments ?? [],
        isVoiceMessage: false,
      });
      return { messageId: message.id };
    },
    async resolve(conversationId) {
      changeStatus(ctx, requireConversation(state, conversationId), 'resolved', AGENT.name);
    },
    deleteConversation(conversationId) {
      const conversation = requireConversation(state, conversationId);
      removeWhere(state.messages, (message) => message.conversationId === conversation.id);
      removeWhere(state.conversations, (candidate) => candidate === conversation);
    },
    webhookDeliveries: webhooks.deliveries,
    webhooksIdle: () => webhooks.idle(),
    requests: state.requests,
    faults: state.faults,
    async close() {
      closing.abort();
      await app.close();
    },
  };
}
