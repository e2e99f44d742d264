/**
 * The Chatwoot Application API client used by activities, for one API-channel inbox
 * (CONTRACTS.md §1). Failures are already sorted for Temporal: see failures.ts; the interface is in types.ts.
 */
import { contactOperations } from './contacts.ts';
import { conversationOperations } from './conversations.ts';
import { downloadAttachment } from './download.ts';
import { createChatwootTransport } from './transport.ts';
import type { ChatwootClient } from './types.ts';

export type { AttachmentDownloadOptions, ChatwootAttachmentUpload, ChatwootClient, ChatwootContact, ChatwootConversation, ChatwootMessage, NewChatwootMessage } from './types.ts';
export { ChatwootThrottledError } from './failures.ts';

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
  /**
   * Hosts attachments may be downloaded from besides Chatwoot's own (`isHostAllowed` syntax): the
   * storage its Active Storage redirects to (S3 and the like). Every redirect is checked again.
   */
  attachmentHosts?: readonly string[];
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
  const download = {
    timeoutMs: options.downloadTimeoutMs ?? 60_000,
    allowedHosts: [new URL(options.baseUrl).hostname, ...(options.attachmentHosts ?? [])],
  };
  return {
    ...contactOperations(transport, options.inboxId),
    ...conversationOperations(transport, options.inboxId),
    downloadAttachment: (dataUrl, maxBytes, downloadOptions) => downloadAttachment(fetchImpl, dataUrl, { ...download, maxBytes }, downloadOptions),
  };
}
