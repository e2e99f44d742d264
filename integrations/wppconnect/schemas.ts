/**
 * Shapes of the WPPConnect Server answers the client relies on (CONTRACTS.md §2).
 * Lenient where the server is known to vary, strict about what we use.
 */
import { z } from 'zod';
import { normalizeMessage, serializedMessage, wid } from './message.ts';

export const generateTokenResponse = z.object({
  status: z.literal('success'),
  token: z.string().min(1),
});

/** send-message items are whole messages; send-image/file/voice items only `{ack, id}`. */
export const sendMessageResponse = z.object({
  status: z.literal('success'),
  response: z.array(z.object({ id: wid })).min(1),
});

const messages = z.array(serializedMessage.transform(normalizeMessage));

export const getMessagesResponse = z.object({
  status: z.literal('success'),
  response: messages,
});

/** Some wppconnect versions group all-new-messages by chat (an array per chat): flattened. */
export const allNewMessagesResponse = z.object({
  status: z.literal('success'),
  response: z.preprocess((value) => (Array.isArray(value) ? value.flat() : value), messages),
});

/** send-seen answers the device controllers' 201 `{status: 'Success', response: {...}}`. */
export const sendSeenResponse = z.object({ status: z.string() });

/** delete-message and typing answer 200 `{status: 'success', response: …}` (an error: `status: 'error'`, 401 or 500). */
export const actionResponse = z.object({ status: z.literal('success') });

export const checkConnectionResponse = z.object({ status: z.boolean() });
/** status-session (CONTRACTS.md §2.2): `qrcode` a data-URL PNG while a QR waits; `status` null on a server that has not started it. */
export const statusSessionResponse = z.looseObject({ status: z.string().nullable(), qrcode: z.string().nullable().optional() });

export const downloadMediaResponse = z.object({
  base64: z.string(),
  mimetype: z.string().min(1).optional(),
});

/** list-chats answers a bare array of chats. */
export const listChatsResponse = z.array(
  z.object({
    id: wid,
    unreadCount: z.number().int().nonnegative().default(0),
    t: z.number().nullish(),
    isGroup: z.boolean().optional(),
  }),
);

/** getPnLidEntry: each side `{id, server, _serialized}`, absent when WhatsApp does not know it. */
export const pnLidResponse = z.object({
  lid: wid.nullish(),
  phoneNumber: wid.nullish(),
});
