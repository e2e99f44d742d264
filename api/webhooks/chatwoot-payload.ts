import { z } from 'zod';
import type { OutboundMessage } from '../../domain/bridge-events.ts';

/** The parts of Chatwoot's `message_created` webhook (CONTRACTS.md §1.7) the bridge relies on. */
const messageCreated = z.object({
  event: z.literal('message_created'),
  id: z.number().int(),
  content: z.string().nullable().optional(),
  message_type: z.string(),
  private: z.boolean(),
  source_id: z.string().nullable().optional(),
  content_attributes: z.object({ in_reply_to_external_id: z.string().nullable().optional() }).loose().nullable().optional(),
  inbox: z.object({ id: z.number().int() }).loose(),
  attachments: z
    .array(z.object({ data_url: z.string(), file_type: z.string(), content_type: z.string().nullable().optional(), file_size: z.number().nullable().optional() }).loose())
    .optional(),
  conversation: z.object({ id: z.number().int(), contact_inbox: z.object({ source_id: z.string() }).loose() }).loose(),
}).loose();

export type ChatwootDecision =
  | { forward: true; chatId: string; message: OutboundMessage }
  | { forward: false; why: string };

/** Prefixes of `source_id`s the bridge itself writes: what carries them must never go back to WhatsApp. */
export const bridgeSourcePrefixes = ['wa:', 'bot:'];

/**
 * Whether a Chatwoot webhook is an agent's reply to forward to WhatsApp (CONTRACTS.md §1.8):
 * only `message_created`, outgoing, not private, in our inbox, and not something the bridge posted.
 */
export function decideChatwootWebhook(body: unknown, inboxId: number): ChatwootDecision {
  const event = typeof body === 'object' && body !== null && 'event' in body ? String(body.event) : 'unknown';
  if (event !== 'message_created') return { forward: false, why: `event ${event}` };
  const parsed = messageCreated.safeParse(body);
  if (!parsed.success) return { forward: false, why: 'unrecognised message_created payload' };
  const message = parsed.data;
  if (message.message_type !== 'outgoing') return { forward: false, why: `message_type ${message.message_type}` };
  if (message.private) return { forward: false, why: 'private note' };
  if (message.inbox.id !== inboxId) return { forward: false, why: `inbox ${message.inbox.id}` };
  const sourceId = message.source_id ?? '';
  if (bridgeSourcePrefixes.some((prefix) => sourceId.startsWith(prefix))) return { forward: false, why: 'posted by the bridge (echo)' };
  const quoted = message.content_attributes?.in_reply_to_external_id ?? null;
  return {
    forward: true,
    chatId: message.conversation.contact_inbox.source_id,
    message: {
      kind: 'outbound',
      chatwootMessageId: message.id,
      conversationId: message.conversation.id,
      text: message.content ?? null,
      attachments: (message.attachments ?? []).map((file) => ({
        dataUrl: file.data_url, fileType: file.file_type, contentType: file.content_type ?? null, fileSize: file.file_size ?? null,
      })),
      quotedWhatsappId: quoted !== null && quoted.startsWith('wa:') ? quoted.slice(3) : null,
    },
  };
}
