import { createHash } from 'node:crypto';

/** The folder of a chat's media files (what an export of the driver's data reads). */
export const chatMediaFolder = (chatId: string) => `media/${chatId.replace(/[^a-z0-9.-]/gi, '_').toLowerCase()}`;

/**
 * Where a chat's media file is stored, whoever stores it first: the WPPConnect webhook (the file
 * came with it) or the relay (downloaded through WPPConnect). The WhatsApp id is hashed: it holds the phone.
 */
export const chatMediaKey = (chatId: string, whatsappId: string) =>
  `${chatMediaFolder(chatId)}/${createHash('sha256').update(whatsappId).digest('hex').slice(0, 32)}`;
