/**
 * Everything the simulated Chatwoot knows: one account with one API-channel inbox, its
 * users, contacts, contact-inboxes, conversations, messages and stored files. Routes and the
 * agent actions change it through store.ts; index.ts exposes it to tests.
 * Ids start in different ranges (contacts 40, conversations 1000, messages 88000) so a
 * test that mixes them up fails instead of passing by coincidence.
 */
import { ChatwootFaultSwitches } from './faults.ts';

export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'snoozed';
export type MessageType = 'incoming' | 'outgoing' | 'activity' | 'template';
export type MessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface ContactRecord {
  id: number;
  name: string;
  phoneNumber: string | null;
  identifier: string | null;
  email: string | null;
  customAttributes: Record<string, unknown>;
  additionalAttributes: Record<string, unknown>;
  createdAt: Date;
  lastActivityAt: Date | null;
}

export interface ContactInboxRecord {
  id: number;
  contactId: number;
  inboxId: number;
  sourceId: string;
  pubsubToken: string;
  createdAt: Date;
}

export interface ConversationRecord {
  /** The display id: what URLs and every JSON call `id`. */
  id: number;
  uuid: string;
  contactId: number;
  contactInboxId: number;
  inboxId: number;
  status: ConversationStatus;
  createdAt: Date;
  updatedAt: Date;
  lastActivityAt: Date;
  customAttributes: Record<string, unknown>;
  additionalAttributes: Record<string, unknown>;
  /** label_list, in the order last set (acts-as-taggable-on keeps it). */
  labels: string[];
  /** The cached_label_list column: labels joined with ", ", null until labels were first set. */
  cachedLabelList: string | null;
  /** A user's id (agent or administrator), null when unassigned. */
  assigneeId: number | null;
}

/** An account user: the API token's owner and the agents working in the UI. */
export interface UserRecord {
  id: number;
  name: string;
  email: string;
  role: 'administrator' | 'agent';
}

export interface AttachmentRecord {
  id: number;
  messageId: number;
  fileType: 'image' | 'audio' | 'video' | 'file';
  contentType: string;
  filename: string;
  bytes: Buffer;
  /** Active Storage's signed blob id (data_url) and storage key (disk URL). */
  signedId: string;
  key: string;
}

export type Sender =
  | { type: 'contact'; id: number }
  | { type: 'user'; id: number; name: string; email: string };

export interface MessageRecord {
  id: number;
  conversationId: number;
  messageType: MessageType;
  content: string | null;
  private: boolean;
  sourceId: string | null;
  contentType: string;
  contentAttributes: Record<string, unknown>;
  status: MessageStatus;
  externalError: string | null;
  isVoiceMessage: boolean;
  sender: Sender | null;
  attachments: AttachmentRecord[];
  createdAt: Date;
  updatedAt: Date;
}

export interface RequestRecord {
  method: string;
  /** The route pattern, e.g. /api/v1/accounts/:account_id/contacts. */
  route: string;
  status: number;
  /** When it was answered (ms since the epoch). */
  at: number;
}

export interface SimulatorState {
  readonly account: { id: number; name: string };
  readonly inbox: { id: number; name: string; channelId: number };
  apiToken: string;
  /** The user the API token belongs to (an administrator): the sender of outgoing messages posted through the API. */
  readonly tokenUser: UserRecord;
  /** The agent who works in the UI unless a test names another (replies, resolves, takes conversations). */
  readonly uiAgent: UserRecord;
  /** The account's users, the two above first; assignments look assignees up here. */
  readonly users: UserRecord[];
  /** FRONTEND_URL, for data_url; set once the server listens. */
  publicUrl: string;
  readonly contacts: ContactRecord[];
  readonly contactInboxes: ContactInboxRecord[];
  readonly conversations: ConversationRecord[];
  readonly messages: MessageRecord[];
  readonly requests: RequestRecord[];
  readonly faults: ChatwootFaultSwitches;
  nextId: { contact: number; contactInbox: number; conversation: number; message: number; attachment: number };
}

export function createSimulatorState(options: { accountId: number; inboxId: number; apiToken: string }): SimulatorState {
  const tokenUser: UserRecord = { id: 1, name: 'Bridge Integration', email: 'bridge@example.test', role: 'administrator' };
  const uiAgent: UserRecord = { id: 2, name: 'Ana (Suporte)', email: 'ana@example.test', role: 'agent' };
  return {
    account: { id: options.accountId, name: 'Entregas PT (simulated)' },
    inbox: { id: options.inboxId, name: 'WhatsApp', channelId: 3 },
    apiToken: options.apiToken,
    tokenUser,
    uiAgent,
    users: [tokenUser, uiAgent],
    publicUrl: 'http://127.0.0.1',
    contacts: [],
    contactInboxes: [],
    conversations: [],
    messages: [],
    requests: [],
    faults: new ChatwootFaultSwitches(),
    nextId: { contact: 40, contactInbox: 50, conversation: 1000, message: 88000, attachment: 5 },
  };
}
