import { chatwootSourceId, type ChatwootLink, type InboundMessage } from '../../domain/chat.ts';
import { agentRenderings, historyNotes } from '../../domain/texts/agents.ts';
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

/** A message from the chat's history (a history import): when it was sent, as agents read it, and whether the company's phone sent it. */
export interface ImportedFrom {
  at: string;
  fromCompany: boolean;
}

/**
 * Posts one WhatsApp message into the chat's Chatwoot conversation as an incoming message, once:
 * a retry that finds its earlier claim looks for the message in Chatwoot before posting again. A
 * file that cannot be attached becomes a private note for the agent beside it. False when an
 * earlier attempt had relayed it already (nothing done now, nothing to count again). An imported
 * message is marked so (`imported`), and one the company's phone sent is posted as outgoing: its
 * `wa:` source id keeps it from going back to WhatsApp.
 */
export async function relayInbound(deps: BridgeDependencies, chatId: string, message: InboundMessage, link: ChatwootLink, imported?: ImportedFrom): Promise<boolean> {
  const relay = { chatId, whatsappMessageId: message.whatsappId };
  const state = await claimInboundRelay(deps.db, deps.personal, relay);
  if (state === 'done' || state === 'failed') return false;
  const lookFirst = state === 'pending';

  // Fetched only when the message is really posted (not when a retry finds it already there).
  const fetched: { media: MediaOutcome | null } = { media: null };
  const posted = await postToConversationOnce(deps.chatwoot, link.conversationId, chatwootSourceId.driverMessage(message.whatsappId), async () => {
    const media = carriesMedia(message) ? await fetchInboundMedia(deps, chatId, message) : null;
    fetched.media = media;
    const said = contentOf(message);
    const content = imported === undefined ? said : historyNotes.importedMessage(imported.at, imported.fromCompany, said);
    return {
      messageType: imported?.fromCompany === true ? 'outgoing' : 'incoming',
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
