import type { InboundMessage } from '../../domain/chat.ts';
import type { ChatwootLink } from '../../domain/chat.ts';
import { carriesMedia, fetchInboundMedia } from './inbound-media.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { claimRelay, completeRelay, type RelayClaim } from './relay-claims.ts';

/** The `source_id` the bridge gives Chatwoot messages from WhatsApp; webhooks carry it back. */
export const chatwootSourceId = (whatsappId: string) => `wa:${whatsappId}`;

/**
 * Posts one WhatsApp message into the chat's Chatwoot conversation as an incoming message, once:
 * a retry that finds its earlier claim looks for the message in Chatwoot before posting again.
 */
export async function relayInbound(deps: BridgeDependencies, chatId: string, message: InboundMessage, link: ChatwootLink): Promise<void> {
  const claim: RelayClaim = { direction: 'inbound', chatId, sourceId: message.whatsappId, part: 0 };
  const state = await claimRelay(deps.db, claim);
  if (state === 'done' || state === 'failed') return;
  const sourceId = chatwootSourceId(message.whatsappId);
  if (state === 'pending') {
    const earlier = (await deps.chatwoot.messages(link.conversationId)).find((posted) => posted.sourceId === sourceId);
    if (earlier !== undefined) {
      await completeRelay(deps.db, claim, { chatwootMessageId: earlier.id, chatwootConversationId: link.conversationId });
      return;
    }
  }

  const media = carriesMedia(message) ? await fetchInboundMedia(deps, chatId, message) : null;
  const posted = await deps.chatwoot.createMessage(link.conversationId, {
    messageType: 'incoming',
    sourceId,
    ...(message.text === null || message.text === '' ? {} : { content: message.text }),
    ...(message.quotedWhatsappId === null ? {} : { inReplyToExternalId: chatwootSourceId(message.quotedWhatsappId) }),
    ...(media?.ok === true ? { attachments: [{ filename: media.file.filename, contentType: media.file.contentType, bytes: media.file.bytes }] } : {}),
    ...(media?.ok === true && message.type === 'ptt' ? { isVoiceMessage: true } : {}),
    ...(media?.ok === false && (message.text ?? '') === '' ? { content: `[${message.type}]` } : {}),
  });
  if (media?.ok === false) {
    await deps.chatwoot.createMessage(link.conversationId, { messageType: 'outgoing', private: true, content: media.note });
  }
  await completeRelay(deps.db, claim, {
    chatwootMessageId: posted.id,
    chatwootConversationId: link.conversationId,
    ...(media?.ok === true ? { mediaKey: media.file.key, mediaSha256: media.file.sha256 } : {}),
  });
}
