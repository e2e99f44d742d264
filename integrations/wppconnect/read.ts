/**
 * Reading: chat history, the polling fallback, chat lists, whole media files, the
 * LID ↔ phone mapping, read receipts and the connection (CONTRACTS.md §2.2, §2.4).
 */
import { assertChatId, assertCount, assertLid, assertMessageId } from './address.ts';
import { expectBody, isOpenListFailure } from './failures.ts';
import type { WhatsAppMessage } from './message.ts';
import {
  allNewMessagesResponse,
  checkConnectionResponse,
  statusSessionResponse,
  downloadMediaResponse,
  getMessagesResponse,
  listChatsResponse,
  pnLidResponse,
  sendSeenResponse,
} from './schemas.ts';
import type { Transport } from './transport.ts';

export interface ChatSummary {
  id: string;
  unreadCount: number;
  /** Seconds since the epoch of the chat's last activity; null when WhatsApp does not say. */
  lastMessageAt: number | null;
  isGroup: boolean;
}

export interface ReadOperations {
  /** The last `count` messages of any chat (…@c.us, …@lid, …@g.us), or those before `beforeId`; oldest first, [] for an unknown chat. */
  chatMessages(input: { chatId: string; count: number; beforeId?: string }): Promise<WhatsAppMessage[]>;
  /**
   * all-new-messages, for polling: the messages of every chat that still has unread
   * messages — ours and ones already delivered by webhook included, again on every call
   * until the chat is read (markChatRead, a send, or a 2xx to its webhook). Dedupe by id.
   */
  newMessages(): Promise<WhatsAppMessage[]>;
  /** Chats, latest activity first. */
  listChats(input: { count: number; onlyWithUnread?: boolean }): Promise<ChatSummary[]>;
  /** Marks a chat read on WhatsApp (blue ticks for the sender), so all-new-messages stops returning it. */
  markChatRead(chatId: string): Promise<void>;
  /** The whole file of a media message, decrypted by the server. */
  downloadMedia(messageId: string): Promise<{ bytes: Buffer; mimetype: string }>;
  /** Digits of the phone behind an @lid id (`123…@lid` or its digits); null when WhatsApp does not tell. */
  phoneOfLid(lid: string): Promise<string | null>;
  connectionStatus(): Promise<{ connected: boolean }>;
  /**
   * status-session: CONNECTED, CLOSED, INITIALIZING, QRCODE or PHONECODE (CONTRACTS.md §2.2), and the
   * QR's PNG while one waits for a scan. CONNECTED also while the phone is offline: the server cannot tell.
   */
  sessionStatus(): Promise<{ status: string; qrCode: Buffer | null }>;
}

const oldestFirst = (messages: WhatsAppMessage[]) => [...messages].sort((a, b) => a.timestamp - b.timestamp);

export function readOperations(transport: Transport): ReadOperations {
  async function chatMessages({ chatId, count, beforeId }: { chatId: string; count: number; beforeId?: string }) {
    assertChatId(chatId);
    assertCount(count);
    if (beforeId !== undefined) assertMessageId(beforeId);
    const before = beforeId === undefined ? '' : `&direction=before&id=${encodeURIComponent(beforeId)}`;
    const response = await transport.call('GET', `get-messages/${chatId}?count=${count}${before}`);
    // wa-js cannot open a chat this phone has never had (or find `beforeId`): there is no history.
    if (isOpenListFailure(response)) return [];
    return oldestFirst(expectBody('get-messages', response, getMessagesResponse).response).slice(-count);
  }

  return {
    chatMessages,

    async newMessages() {
      const response = await transport.call('GET', 'all-new-messages');
      return oldestFirst(expectBody('all-new-messages', response, allNewMessagesResponse).response);
    },

    async listChats({ count, onlyWithUnread }) {
      assertCount(count);
      const body = { count, ...(onlyWithUnread ? { onlyWithUnreadMessage: true } : {}) };
      const chats = expectBody('list-chats', await transport.call('POST', 'list-chats', body), listChatsResponse);
      return chats.map((chat) => ({
        id: chat.id,
        unreadCount: chat.unreadCount,
        lastMessageAt: chat.t ?? null,
        isGroup: chat.isGroup ?? chat.id.endsWith('@g.us'),
      }));
    },

    async markChatRead(chatId) {
      assertChatId(chatId);
      const [user, server] = chatId.split('@');
      const body = { phone: user, isGroup: server === 'g.us', ...(server === 'lid' ? { isLid: true } : {}) };
      expectBody('send-seen', await transport.call('POST', 'send-seen', body), sendSeenResponse);
    },

    async downloadMedia(messageId) {
      assertMessageId(messageId);
      const response = await transport.call('POST', 'download-media', { messageId });
      const file = expectBody('download-media', response, downloadMediaResponse);
      return { bytes: Buffer.from(file.base64, 'base64'), mimetype: file.mimetype ?? 'application/octet-stream' };
    },

    async phoneOfLid(lid) {
      const id = lid.includes('@') ? lid : `${lid}@lid`;
      assertLid(id);
      const response = await transport.call('GET', `contact/pn-lid/${id}`);
      const phone = expectBody('contact/pn-lid', response, pnLidResponse).phoneNumber;
      const digits = phone?.split('@')[0];
      return digits !== undefined && /^\d{7,15}$/.test(digits) ? digits : null;
    },

    async connectionStatus() {
      const response = await transport.call('GET', 'check-connection-session');
      return { connected: expectBody('check-connection-session', response, checkConnectionResponse).status };
    },

    async sessionStatus() {
      const body = expectBody('status-session', await transport.call('GET', 'status-session'), statusSessionResponse);
      const png = /^data:image\/png;base64,(.+)$/s.exec(body.qrcode ?? '')?.[1];
      return { status: body.status ?? 'CLOSED', qrCode: png === undefined ? null : Buffer.from(png, 'base64') };
    },
  };
}
