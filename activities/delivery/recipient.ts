import { isGroupChatId } from '../../domain/chat.ts';
import type { WppConnectClient } from '../../integrations/wppconnect/client.ts';

/** The phone (digits) behind a WhatsApp chat id: `351912345678@c.us` directly, an `@lid` through WPPConnect; null when unknown. */
export async function phoneOfChat(wppconnect: Pick<WppConnectClient, 'phoneOfLid'>, chatId: string): Promise<string | null> {
  const [user, server] = chatId.split('@');
  if (server === 'c.us' && user !== undefined && /^\d{7,15}$/.test(user)) return user;
  if (server === 'lid') return wppconnect.phoneOfLid(chatId);
  return null;
}

/** Where a message to a chat is sent: its phone, or a group's own id (`…@g.us`, sent with isGroup); null when unknown. */
export async function recipientOfChat(wppconnect: Pick<WppConnectClient, 'phoneOfLid'>, chatId: string): Promise<string | null> {
  return isGroupChatId(chatId) ? chatId : phoneOfChat(wppconnect, chatId);
}
