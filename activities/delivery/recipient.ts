import type { WppConnectClient } from '../../integrations/wppconnect/client.ts';

/** The phone (digits) behind a WhatsApp chat id: `351912345678@c.us` directly, an `@lid` through WPPConnect; null when unknown. */
export async function phoneOfChat(wppconnect: Pick<WppConnectClient, 'phoneOfLid'>, chatId: string): Promise<string | null> {
  const [user, server] = chatId.split('@');
  if (server === 'c.us' && user !== undefined && /^\d{7,15}$/.test(user)) return user;
  if (server === 'lid') return wppconnect.phoneOfLid(chatId);
  return null;
}
