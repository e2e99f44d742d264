/**
 * Shapes of the WPPConnect Server answers the client relies on (CONTRACTS.md §2).
 * Lenient where the server is known to vary, strict about what we use.
 */
import { z } from 'zod';

/** A serialized message id: normally `true_351912345678@c.us_3EB0...`, sometimes the raw Wid object. */
const messageId = z.union([
  z.string().min(1),
  z.object({ _serialized: z.string().min(1) }).transform((id) => id._serialized),
]);

export const generateTokenResponse = z.object({
  status: z.literal('success'),
  token: z.string().min(1),
});

export const sendMessageResponse = z.object({
  status: z.literal('success'),
  response: z.array(z.object({ id: messageId })).min(1),
});

const serializedMessage = z
  .object({
    id: messageId,
    fromMe: z.boolean().optional(),
    body: z.string().nullish(),
    timestamp: z.number().optional(),
    t: z.number().optional(),
    type: z.string().default('unknown'),
  })
  .transform((message) => ({
    id: message.id,
    fromMe: message.fromMe ?? message.id.startsWith('true_'),
    body: message.body ?? '',
    timestamp: message.timestamp ?? message.t ?? 0,
    type: message.type,
  }));

export const getMessagesResponse = z.object({
  status: z.literal('success'),
  response: z.array(serializedMessage),
});

export const checkConnectionResponse = z.object({ status: z.boolean() });
