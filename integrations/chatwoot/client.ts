/**
 * The Chatwoot Application API client used by activities, for one API-channel inbox
 * (CONTRACTS.md §1). Failures are already sorted for Temporal: see chatwoot-failures.ts.
 */
import { contactOperations } from './contacts.ts';
import { conversationOperations } from './conversations.ts';
import { downloadAttachment } from './download.ts';
import { createChatwootTransport } from './transport.ts';

export interface ChatwootClientOptions {
  /** e.g. https://chat.example.pt */
  baseUrl: string;
  accountId: number;
  /** The API-channel inbox the bridge owns. */
  inboxId: number;
  /** A user's access token (agent or administrator); contact endpoints refuse agent-bot tokens. */
  apiToken: string;
  /** Per API request, default 15000. */
  timeoutMs?: number;
  /** Per attachment download, default 60000. */
  downloadTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ChatwootContact {
  id: number;
  name: string;
  phoneNumber: string | null;
  identifier: string | null;
  /** This inbox's contact_inboxes source_ids. */
  sourceIds: string[];
}

export interface ChatwootConversation {
  id: number;
  status: 'open' | 'pending' | 'resolved' | 'snoozed';
  inboxId: number;
  /** The contact-inbox source_id; REST only shows it through the last message, so null for an empty conversation. */
  sourceId: string | null;
}

export interface ChatwootMessage {
  id: number;
  sourceId: string | null;
  messageType: 'incoming' | 'outgoing' | 'activity' | 'template';
  private: boolean;
  content: string | null;
  status?: string;
}

export interface ChatwootAttachmentUpload {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface NewChatwootMessage {
  content?: string;
  messageType: 'incoming' | 'outgoing';
  private?: boolean;
  /** Stored on the message and echoed in webhooks: the WhatsApp message id. */
  sourceId?: string;
  /** The source_id of the message this one replies to. */
  inReplyToExternalId?: string;
  attachments?: ChatwootAttachmentUpload[];
  isVoiceMessage?: boolean;
}

export interface ChatwootClient {
  /** POST /contacts/filter, phone_number equal_to: exact, never the fuzzy search. */
  findContactByPhone(phoneE164: string): Promise<ChatwootContact | null>;
  /** Created with inbox_id + source_id; a 422 "already been taken" returns the existing contact, linked to the inbox. */
  createContact(input: { name: string; phoneE164: string; identifier: string; sourceId: string }): Promise<ChatwootContact>;
  /** Idempotent: the same contact + inbox + source_id gives back the existing link. */
  ensureContactInbox(contactId: number, sourceId: string): Promise<void>;
  /** This inbox only, newest activity first (Chatwoot returns at most 20). */
  contactConversations(contactId: number): Promise<ChatwootConversation[]>;
  createConversation(input: { contactId: number; sourceId: string }): Promise<ChatwootConversation>;
  setConversationStatus(conversationId: number, status: 'open' | 'resolved' | 'pending'): Promise<void>;
  /** The conversation's labels, in their stored order. */
  conversationLabels(conversationId: number): Promise<string[]>;
  /**
   * Replaces the whole label list (there is no add or remove). Returns what Chatwoot kept: commas
   * split labels, blanks and case-insensitive duplicates are dropped. A change fires conversation_updated.
   */
  setConversationLabels(conversationId: number, labels: string[]): Promise<string[]>;
  /** JSON, or multipart with one attachments[] part per file. */
  createMessage(conversationId: number, message: NewChatwootMessage): Promise<ChatwootMessage>;
  /** Oldest first: the last 20, 20 before `before`, or up to 100 after `after`. */
  messages(conversationId: number, opts?: { before?: number; after?: number }): Promise<ChatwootMessage[]>;
  /** PATCH, API inboxes only (not in the spec). read → delivered is ignored by Chatwoot. */
  setMessageStatus(
    conversationId: number,
    messageId: number,
    status: 'sent' | 'delivered' | 'read' | 'failed',
    externalError?: string,
  ): Promise<void>;
  /** Follows the Active Storage redirect; more than maxBytes is a non-retryable PayloadTooLarge. */
  downloadAttachment(dataUrl: string, maxBytes: number): Promise<{ bytes: Buffer; contentType: string }>;
}

export function createChatwootClient(options: ChatwootClientOptions): ChatwootClient {
  if (options.apiToken === '') throw new Error('Chatwoot client needs an API access token (CHATWOOT_API_TOKEN)');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const transport = createChatwootTransport({
    baseUrl: options.baseUrl,
    accountId: options.accountId,
    apiToken: options.apiToken,
    timeoutMs: options.timeoutMs ?? 15_000,
    fetch: fetchImpl,
  });
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 60_000;
  return {
    ...contactOperations(transport, options.inboxId),
    ...conversationOperations(transport, options.inboxId),
    downloadAttachment: (dataUrl, maxBytes) => downloadAttachment(fetchImpl, dataUrl, maxBytes, downloadTimeoutMs),
  };
}
