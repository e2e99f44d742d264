/**
 * The Chatwoot Application API client used by activities, for one API-channel inbox
 * (CONTRACTS.md §1). Failures are already sorted for Temporal: see failures.ts; the interface is in types.ts.
 */
import { contactOperations } from './contacts.ts';
import { conversationOperations } from './conversations.ts';
import { downloadAttachment } from './download.ts';
import { createChatwootTransport } from './transport.ts';
import type { ChatwootClient } from './types.ts';

export type { ChatwootAttachmentUpload, ChatwootClient, ChatwootContact, ChatwootConversation, ChatwootMessage, NewChatwootMessage } from './types.ts';

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
