/**
 * A stand-in for Chatwoot v4.15.1's Application API and API-channel inbox (CONTRACTS.md §1)
 * for end-to-end tests and the newcomers' sandbox: same paths, auth, bodies and webhooks
 * (signed like 4.13+, or not). When a client disagrees with it, fix the client.
 */
import { buildChatwootApp } from './app.ts';
import type { ChatwootFaults } from './faults.ts';
import type { StoreContext } from './store-contacts.ts';
import { requireContact, requireConversation, updateContact } from './store-contacts.ts';
import type { UploadedFile } from './store-conversations.ts';
import { changeStatus, createMessage, deleteMessage, retryMessage, updateMessageStatus, userSender } from './store-conversations.ts';
import { assignConversation, setLabels } from './store-labels-assignments.ts';
import type { ContactRecord, ConversationRecord, MessageRecord, RequestRecord, SimulatorState, UserRecord } from './state.ts';
import { createSimulatorState } from './state.ts';
import type { WebhookDelivery } from './webhooks.ts';
import { typingEvent } from './webhook-format.ts';
import { WebhookDispatcher } from './webhooks.ts';

export type { ChatwootFaults, FaultStatus } from './faults.ts';
export type { AttachmentRecord, ContactRecord, ConversationRecord, MessageRecord, RequestRecord, UserRecord } from './state.ts';
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
  /** The account's users: the API token's owner, the agent working in the UI, and any agent a test named. */
  users(): ReadonlyArray<UserRecord>;
  conversations(): ReadonlyArray<ConversationRecord>;
  /** Oldest first, activity lines included. */
  messages(conversationId: number): ReadonlyArray<MessageRecord>;
  /** An agent replies in the inbox UI: an outgoing message (optionally private, with files), then message_created. */
  agentReply(
    conversationId: number,
    reply: { content?: string; private?: boolean; attachments?: UploadedFile[]; agentName?: string },
  ): Promise<{ messageId: number }>;
  /** An agent deletes a message in the inbox UI (MessagesController#destroy): it reads "This message was deleted", then message_updated. */
  deleteMessage(conversationId: number, messageId: number): void;
  /** An agent clicks "retry" on a failed message (MessagesController#retry): two message_updated webhooks. */
  retryMessage(conversationId: number, messageId: number): void;
  /** An agent renames a contact in the UI (ContactsController#update). */
  renameContact(contactId: number, name: string): void;
  /** The agent in the UI starts or stops typing (a reply, or with `isPrivate` a note): conversation_typing_on / _off. */
  agentTyping(conversationId: number, on: boolean, isPrivate?: boolean): void;
  /** As an agent; fires conversation_status_changed. */
  resolve(conversationId: number): Promise<void>;
  /**
   * An agent takes the conversation in the UI (self-assigns; default Ana, id 2; an unknown id joins
   * the account): conversation_updated with `assignee_id` in changed_attributes and `meta.assignee` filled.
   */
  assign(conversationId: number, agent?: { id: number; name: string }): Promise<void>;
  /** As an agent in the UI: the labels are added to the conversation's list; a change fires conversation_updated. */
  addLabels(conversationId: number, labels: string[]): Promise<void>;
  /** The conversation's labels, in their stored order. */
  labels(conversationId: number): string[];
  /** As an administrator in the UI: the conversation and its messages are gone; later calls on it answer 404. */
  deleteConversation(conversationId: number): void;
  /** Every webhook POST made, in the order they ended. */
  webhookDeliveries: ReadonlyArray<WebhookDelivery>;
  /** Resolves once every webhook queued so far (and any it caused) has been delivered or has failed: a test awaits delivery with it. */
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
  /**
   * Webhook deliveries overlap and may reorder, as Sidekiq's jobs do: each waits 0 to `jitterMs`
   * (default 30) before its POST, pauses drawn from `seed` (default 1). `inOrder: true` delivers one
   * at a time in event order instead (not what Chatwoot promises; for a sandbox that wants it).
   */
  webhookDelivery?: { jitterMs?: number; seed?: number; inOrder?: boolean };
  /** Called synchronously as each message is created through the API or an agent's reply (benchmarks time arrivals with it). */
  onMessageCreated?: (message: MessageRecord) => void;
}

function requireMessage(state: SimulatorState, conversationId: number, messageId: number): MessageRecord {
  const conversation = requireConversation(state, conversationId);
  const message = state.messages.find((candidate) => candidate.conversationId === conversation.id && candidate.id === messageId);
  if (message === undefined) throw new Error(`no message ${messageId} in conversation ${conversationId}`);
  return message;
}

function removeWhere<T>(records: T[], doomed: (record: T) => boolean): void {
  for (let index = records.length - 1; index >= 0; index--) if (doomed(records[index]!)) records.splice(index, 1);
}

/** The account user for an agent a test names: the existing one with that id, or a new agent. */
function agentUser(state: SimulatorState, agent: { id: number; name: string } | undefined): UserRecord {
  if (agent === undefined) return state.uiAgent;
  const known = state.users.find((user) => user.id === agent.id);
  if (known !== undefined && known.name !== agent.name) throw new Error(`user ${agent.id} is ${known.name}, not ${agent.name}`);
  if (known !== undefined) return known;
  const user: UserRecord = { id: agent.id, name: agent.name, email: `agent${agent.id}@example.test`, role: 'agent' };
  state.users.push(user);
  return user;
}

export async function startChatwootSimulator(opts: ChatwootSimulatorOptions = {}): Promise<ChatwootSimulator> {
  const state = createSimulatorState({ accountId: opts.accountId ?? 1, inboxId: opts.inboxId ?? 7, apiToken: opts.apiToken ?? 'test-chatwoot-token' });
  const closing = new AbortController();
  const settings = {
    url: opts.webhookUrl,
    secret: opts.webhookSecret ?? 'test-chatwoot-webhook-secret',
    sign: opts.signWebhooks ?? true,
    timeoutMs: opts.webhookTimeoutMs ?? 5_000,
    jitterMs: opts.webhookDelivery?.jitterMs ?? 30,
    seed: opts.webhookDelivery?.seed ?? 1,
    inOrder: opts.webhookDelivery?.inOrder ?? false,
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
    users: () => state.users,
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
        sender: userSender({ ...state.uiAgent, name: reply.agentName ?? state.uiAgent.name }),
        files: reply.attachments ?? [],
        isVoiceMessage: false,
      });
      return { messageId: message.id };
    },
    renameContact(contactId, name) {
      updateContact(requireContact(state, contactId), { name });
    },
    agentTyping(conversationId, on, isPrivate = false) {
      webhooks.enqueue(typingEvent(state, on, requireConversation(state, conversationId), state.uiAgent, isPrivate));
    },
    deleteMessage(conversationId, messageId) {
      deleteMessage(ctx, requireMessage(state, conversationId, messageId));
    },
    retryMessage(conversationId, messageId) {
      retryMessage(ctx, requireMessage(state, conversationId, messageId));
    },
    async resolve(conversationId) {
      changeStatus(ctx, requireConversation(state, conversationId), 'resolved', state.uiAgent.name);
    },
    async assign(conversationId, agent) {
      const user = agentUser(state, agent);
      assignConversation(ctx, requireConversation(state, conversationId), user, user);
    },
    async addLabels(conversationId, labels) {
      const conversation = requireConversation(state, conversationId);
      setLabels(ctx, conversation, [...conversation.labels, ...labels], state.uiAgent);
    },
    labels: (conversationId) => [...requireConversation(state, conversationId).labels],
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
