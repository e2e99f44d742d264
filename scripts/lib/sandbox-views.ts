/**
 * The two simulators as the sandbox console shows them (its JSON routes and its web page): the
 * Chatwoot inbox as an agent reads it, and a driver's WhatsApp chat as their phone shows it.
 * Read only; every change goes through the simulators' own agent and phone actions.
 */
import type { AttachmentRecord, ChatwootSimulator, MessageRecord } from '../../test/simulators/chatwoot/index.ts';
import type { WaMessage, WppConnectSimulator } from '../../test/simulators/wppconnect/index.ts';

export interface InboxFileView {
  id: number;
  name: string;
  kind: AttachmentRecord['fileType'];
  contentType: string;
  /** On the sandbox console: GET it for the file. */
  url: string;
}

export interface InboxMessageView {
  id: number;
  type: MessageRecord['messageType'];
  from: string | null;
  text: string | null;
  private: boolean;
  status: MessageRecord['status'];
  /** Deleted by an agent (Chatwoot keeps it, marked). */
  deleted: boolean;
  /** The message this one replies to (a reaction, a note about a deletion, an agent's quote). */
  replyTo: number | null;
  /** The files' names. */
  attachments: string[];
  files: InboxFileView[];
  at: string;
}

export interface InboxConversationView {
  id: number;
  status: string;
  contact: { name: string; phone: string | null } | null;
  labels: string[];
  /** The assigned agent's name, null when unassigned. */
  assignee: string | null;
  messages: InboxMessageView[];
}

/** A message sent to a driver's phone, from the WPPConnect simulator's record of sends. */
export interface WhatsAppMessageView {
  id: string;
  text: string;
  type: string;
  filename?: string;
  /** WhatsApp's ack: 1 sent, 2 delivered, 3 read. */
  ack: number;
  at: string;
}

/** A message in a driver's chat as their phone shows it: what they wrote (`sent`) and what they got (`received`). */
export interface PhoneMessageView {
  id: string;
  direction: 'sent' | 'received';
  type: string;
  /** The text, or a media message's caption ('' when none). */
  text: string;
  filename?: string;
  /**
   * WhatsApp's ack: of a message the driver received, 1 sent, 2 delivered, 3 read; of the driver's own,
   * 3 once the company's side read the chat (the blue ticks they see), else 2.
   */
  ack: number;
  at: string;
}

export const attachmentUrl = (id: number) => `/chatwoot/attachments/${id}`;

/** The Chatwoot simulator's inbox as an agent reads it, the conversation with the latest activity first. */
export function inboxView(chatwoot: ChatwootSimulator): InboxConversationView[] {
  const contacts = chatwoot.contacts();
  const users = chatwoot.users();
  const nameOf = (sender: MessageRecord['sender']) =>
    sender === null ? null : sender.type === 'user' ? sender.name : (contacts.find((contact) => contact.id === sender.id)?.name ?? 'contact');
  const conversations = [...chatwoot.conversations()].sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || b.id - a.id);
  return conversations.map((conversation) => {
    const contact = contacts.find((candidate) => candidate.id === conversation.contactId);
    const assignee = conversation.assigneeId === null ? null : (users.find((user) => user.id === conversation.assigneeId)?.name ?? `user ${conversation.assigneeId}`);
    return {
      id: conversation.id,
      status: conversation.status,
      contact: contact === undefined ? null : { name: contact.name, phone: contact.phoneNumber },
      labels: [...conversation.labels],
      assignee,
      messages: chatwoot.messages(conversation.id).map((message) => ({
        id: message.id,
        type: message.messageType,
        from: nameOf(message.sender),
        text: message.content,
        private: message.private,
        status: message.status,
        deleted: message.contentAttributes.deleted === true,
        replyTo: typeof message.contentAttributes.in_reply_to === 'number' ? message.contentAttributes.in_reply_to : null,
        attachments: message.attachments.map((attachment) => attachment.filename),
        files: message.attachments.map((attachment) => ({
          id: attachment.id,
          name: attachment.filename,
          kind: attachment.fileType,
          contentType: attachment.contentType,
          url: attachmentUrl(attachment.id),
        })),
        at: message.createdAt.toISOString(),
      })),
    };
  });
}

/** The file behind an attachment of any conversation. */
export function attachmentOf(chatwoot: ChatwootSimulator, id: number): AttachmentRecord | undefined {
  for (const conversation of chatwoot.conversations()) {
    for (const message of chatwoot.messages(conversation.id)) {
      const found = message.attachments.find((attachment) => attachment.id === id);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const isDriverChat = (chatId: string) => chatId.endsWith('@c.us');
const atOf = (message: WaMessage) => new Date(message.t * 1000).toISOString();
const textOf = (message: WaMessage) => (message.type === 'chat' ? message.body : (message.caption ?? ''));

/** The drivers WhatsApp has a chat with ("+351912345678"), the latest message first. */
export function driverPhones(wpp: WppConnectSimulator): string[] {
  const latest = (messages: ReadonlyArray<WaMessage>) => messages.at(-1)?.t ?? 0;
  return wpp.chats()
    .filter((chat) => isDriverChat(chat.id))
    .sort((a, b) => latest(b.messages) - latest(a.messages))
    .map((chat) => `+${chat.id.split('@')[0]!}`);
}

/** A driver's chat (WhatsApp digits) as their phone shows it, oldest first. */
export function phoneChatView(wpp: WppConnectSimulator, digits: string): PhoneMessageView[] {
  const chat = wpp.chats().find((candidate) => candidate.id === `${digits}@c.us`);
  const messages = chat?.messages ?? [];
  // The chat's last `unreadCount` messages from the driver are the ones the company has not read.
  const own = messages.filter((message) => !message.fromMe);
  const unread = new Set(own.slice(own.length - (chat?.unreadCount ?? 0)).map((message) => message.id));
  return messages.map((message) => ({
    id: message.id,
    // From the company's side, as WhatsApp records it: fromMe is what the company sent, so the driver received.
    direction: message.fromMe ? 'received' : 'sent',
    type: message.type,
    text: textOf(message),
    ...(message.filename === undefined ? {} : { filename: message.filename }),
    ack: message.fromMe ? message.ack : unread.has(message.id) ? 2 : 3,
    at: atOf(message),
  }));
}

/** Whether an agent is shown typing in a driver's chat: the last typing call said so, and nothing was sent since. */
export function agentTypingIn(wpp: WppConnectSimulator, digits: string): boolean {
  const chatId = `${digits}@c.us`;
  const last = wpp.typing.filter((call) => call.chatId === chatId).at(-1);
  if (last === undefined || !last.typing) return false;
  return !wpp.sent.some((message) => message.phone === digits && message.at >= last.at);
}

/** What was sent to a driver's phone (WhatsApp digits), with each message's ack. */
export function receivedView(wpp: WppConnectSimulator, digits: string): WhatsAppMessageView[] {
  const acks = new Map(phoneChatView(wpp, digits).map((message) => [message.id, message.ack]));
  return wpp.sent
    .filter((message) => message.phone === digits)
    .map((message) => ({
      id: message.id,
      text: message.body,
      type: message.type ?? 'chat',
      ...(message.filename === undefined ? {} : { filename: message.filename }),
      ack: acks.get(message.id) ?? 1,
      at: message.at.toISOString(),
    }));
}

/**
 * A short string that changes whenever anything either view shows changes: messages, acks, reads,
 * deletions, typing, delivery statuses, conversation status, labels, assignee. The page's live updates compare it.
 */
export function simulatorsFingerprint(wpp: WppConnectSimulator, chatwoot: ChatwootSimulator): string {
  const phone = wpp.chats().map((chat) => `${chat.id}:${chat.unreadCount}:${chat.messages.map((message) => `${message.ack}${message.type[0]!}`).join('')}`);
  const inbox = chatwoot.conversations().map((conversation) => {
    const messages = chatwoot.messages(conversation.id).map((message) => `${message.id}${message.status[0]!}${message.contentAttributes.deleted === true ? 'd' : ''}`);
    return `${conversation.id}:${conversation.status}:${conversation.assigneeId}:${conversation.labels.join(',')}:${messages.join('')}`;
  });
  return `${phone.join('|')}#${wpp.typing.length}:${wpp.sent.length}#${inbox.join('|')}`;
}
