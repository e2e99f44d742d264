import { createHash } from 'node:crypto';
import type { BlindIndex } from '../../domain/chat.ts';

/**
 * The folder of a chat's media files (what an export of the driver's data reads, an erasure deletes):
 * named by the chat's keyed hash (its WhatsApp id holds the phone), in hex as storage keys take it.
 */
export const chatMediaFolder = (keys: BlindIndex, chatId: string) => mediaFolderOfChatIndex(keys.index('chat', chatId));

/** The same from the chat's keyed hash itself (what a chat's workflow id carries). */
export const mediaFolderOfChatIndex = (index: string) => `media/c-${Buffer.from(index, 'base64url').toString('hex')}`;

/** Where a chat's media went before folders were keyed hashes: read by exports and erased, never written. */
export const legacyChatMediaFolder = (chatId: string) => `media/${chatId.replace(/[^a-z0-9.-]/gi, '_').toLowerCase()}`;

/**
 * Where a chat's media file is stored, whoever stores it first: the WPPConnect webhook (the file
 * came with it) or the relay (downloaded through WPPConnect). The WhatsApp id is hashed: it holds the phone.
 */
export const chatMediaKey = (keys: BlindIndex, chatId: string, whatsappId: string) =>
  `${chatMediaFolder(keys, chatId)}/${createHash('sha256').update(whatsappId).digest('hex').slice(0, 32)}`;
