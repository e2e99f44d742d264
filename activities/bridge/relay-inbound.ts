import { chatwootSourceId, type ChatwootLink, type InboundMessage } from '../../domain/chat.ts';
import { agentRenderings } from '../../domain/texts/agents.ts';
import { claimInboundRelay, completeInboundRelay } from '../../platform/stores/relays.ts';
import { postToConversationOnce } from '../delivery/chatwoot-once.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { carriesMedia, fetchInboundMedia, type MediaOutcome } from './inbound-media.ts';

/** What the agent reads: the message's text, and in a group who wrote it. */
function contentOf(message: InboundMessage): string | null {
  if (message.author === undefined) return message.text;
  const [user, server] = (message.author ?? '').split('@');
  const phone = server === 'c.us' && user !== undefined && /^\d{7,15}$/.test(user) ? user : null;
  return agentRenderings.groupMessage(message.senderName, phone, message.text);
}

/**
 * Posts one WhatsApp message into the chat's Chatwoot conversation as an incoming message, once:
 * a retry that finds its earlier claim looks for the message in Chatwoot before posting again. A
 * file that cannot be attached becomes a private note for the agent beside it. False when an
 * earlier attempt had relayed it already (nothing done now, nothing to count again).
 */
export async function relayInbound(deps: BridgeDependencies, chatId: string, message: InboundMessage, link: ChatwootLink): Promise<boolean> {
  const relay = { chatId, whatsappMessageId: message.whatsappId };
  const state = await claimInboundRelay(deps.db, deps.personal, relay);
  if (state === 'done' || state === 'failed') return false;
  const lookFirst = state === 'pending';

  // Fetched only when the message is really posted (not when a retry finds it already there).
  const fetched: { media: MediaOutcome | null } = { media: null };
  const posted = await postToConversationOnce(deps.chatwoot, link.conversationId, chatwootSourceId.driverMessage(message.whatsappId), async () => {
    const media = carriesMedia(message) ? await fetchInboundMedia(deps, chatId, message) : null;
    fetched.media = media;
    const content = contentOf(message);
    return {
      messageType: 'incoming',
      ...(content === null || content === '' ? {} : { content }),
      ...(message.quotedWhatsappId === null ? {} : { inReplyToExternalId: chatwootSourceId.driverMessage(message.quotedWhatsappId) }),
      ...(media?.ok === true ? { attachments: [{ filename: media.file.filename, contentType: media.file.contentType, bytes: media.file.bytes }] } : {}),
      ...(media?.ok === true && message.type === 'ptt' ? { isVoiceMessage: true } : {}),
      ...(media?.ok === false && (content ?? '') === '' ? { content: `[${message.type}]` } : {}),
    };
  }, { lookFirst });
  const { media } = fetched;
  if (media?.ok === false) {
    await postToConversationOnce(deps.chatwoot, link.conversationId, chatwootSourceId.mediaNote(message.whatsappId), () => ({
      messageType: 'outgoing', private: true, content: media.note,
    }), { lookFirst });
  }
  await completeInboundRelay(deps.db, deps.personal, relay, {
    chatwootMessageId: posted.id,
    chatwootConversationId: link.conversationId,
    ...(media?.ok === true ? { mediaKey: media.file.key, mediaSha256: media.file.sha256 } : {}),
  });
  return true;
}
