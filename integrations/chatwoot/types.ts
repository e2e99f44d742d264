/** The Chatwoot client's interface and the shapes it hands out, apart from the implementation so its parts can share them. */
export interface ChatwootContact {
  id: number;
  name: string;
  phoneNumber: string | null;
  identifier: string | null;
  customAttributes: Record<string, unknown>;
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
  /** The Chatwoot id of the message this one replies to (one without a source_id: an agent's). */
  inReplyTo?: number;
  attachments?: ChatwootAttachmentUpload[];
  isVoiceMessage?: boolean;
}

export interface ChatwootClient {
  /** POST /contacts/filter, phone_number equal_to: exact, never the fuzzy search. */
  findContactByPhone(phoneE164: string): Promise<ChatwootContact | null>;
  /** POST /contacts/filter, identifier equal_to, exact: a contact with no phone (a WhatsApp group). */
  findContactByIdentifier(identifier: string): Promise<ChatwootContact | null>;
  /**
   * Created with inbox_id + source_id (and no phone for a group); a 422 "already been taken"
   * returns the existing contact, linked to the inbox.
   */
  createContact(input: { name: string; phoneE164?: string; identifier: string; sourceId: string; customAttributes?: Record<string, string> }): Promise<ChatwootContact>;
  /** GET /contacts/{id}; null when there is none. */
  contact(contactId: number): Promise<ChatwootContact | null>;
  /** PUT /contacts/{id}: the name replaced when given, custom attributes merged into the contact's. */
  updateContact(contactId: number, update: { name?: string; customAttributes?: Record<string, string> }): Promise<ChatwootContact>;
  /** Idempotent: the same contact + inbox + source_id gives back the existing link. */
  ensureContactInbox(contactId: number, sourceId: string): Promise<void>;
  /**
   * DELETE /contacts/{id}: the contact and, in Chatwoot, its conversations with it (an erasure).
   * False when there was no such contact (already deleted).
   */
  deleteContact(contactId: number): Promise<boolean>;
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
  /**
   * Follows the Active Storage redirect, only through allowed hosts (else a non-retryable
   * DocumentSourceRefused, nothing fetched); more than maxBytes is a non-retryable PayloadTooLarge.
   */
  downloadAttachment(dataUrl: string, maxBytes: number, options?: AttachmentDownloadOptions): Promise<{ bytes: Buffer; contentType: string }>;
}

export interface AttachmentDownloadOptions {
  /** Called while bytes arrive, so an activity can heartbeat through a long download. */
  onProgress?: () => void;
  /** Abandons the download. */
  signal?: AbortSignal;
}
