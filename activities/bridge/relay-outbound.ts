import { ApplicationFailure } from '@temporalio/common';
import type { AgentReply } from '../../domain/chat.ts';
import { ErrorType } from '../../domain/errors.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { claimRelay, completeRelay, type RelayClaim } from './relay-claims.ts';
import { phoneOfChat } from './resolve-conversation.ts';

type Part = { text: string } | { attachment: AgentReply['attachments'][number]; caption: string | null };

/** A reply of text and files becomes WhatsApp messages: the files (the text as the first caption), or the text alone. */
function partsOf(message: AgentReply): Part[] {
  if (message.attachments.length === 0) return message.text === null || message.text === '' ? [] : [{ text: message.text }];
  return message.attachments.map((attachment, index) => ({ attachment, caption: index === 0 ? message.text : null }));
}

async function sendPart(deps: BridgeDependencies, phone: string, part: Part, quoted: string | null): Promise<string> {
  const quote = quoted === null ? {} : { quotedMessageId: quoted };
  if ('text' in part) return (await deps.wppconnect.sendText({ phone, message: part.text, ...quote })).messageId;
  const file = await deps.chatwoot.downloadAttachment(part.attachment.dataUrl, deps.mediaMaxBytes);
  const dataUrl = `data:${file.contentType};base64,${file.bytes.toString('base64')}`;
  const filename = decodeURIComponent(new URL(part.attachment.dataUrl).pathname.split('/').pop() ?? 'ficheiro');
  const caption = part.caption === null ? {} : { caption: part.caption };
  if (part.attachment.fileType === 'image' || file.contentType.startsWith('image/')) {
    return (await deps.wppconnect.sendImage({ phone, dataUrl, filename, ...caption, ...quote })).messageId;
  }
  if (part.attachment.fileType === 'audio' || file.contentType.startsWith('audio/')) {
    return (await deps.wppconnect.sendVoice({ phone, dataUrl, ...quote })).messageId;
  }
  return (await deps.wppconnect.sendFile({ phone, dataUrl, filename, ...caption, ...quote })).messageId;
}

/**
 * Sends an agent's Chatwoot reply to the driver on WhatsApp, each part once, and marks it sent in
 * Chatwoot. A send that WhatsApp refuses for good is marked failed with a private note for the agent.
 */
export async function relayOutbound(deps: BridgeDependencies, chatId: string, message: AgentReply): Promise<void> {
  const phone = await phoneOfChat(deps, chatId);
  const parts = partsOf(message);
  let lastSent: string | null = null;
  for (const [index, part] of parts.entries()) {
    const claim: RelayClaim = { direction: 'outbound', chatId, sourceId: String(message.chatwootMessageId), part: index };
    const state = await claimRelay(deps.db, claim);
    if (state === 'done' || state === 'failed') continue;
    if (state === 'pending' && 'text' in part && phone !== null) {
      const recent = await deps.wppconnect.chatMessages({ chatId, count: 30 });
      const earlier = recent.find((sent) => sent.fromMe && sent.body === part.text);
      if (earlier !== undefined) {
        await completeRelay(deps.db, claim, { whatsappMessageId: earlier.id, chatwootConversationId: message.conversationId });
        lastSent = earlier.id;
        continue;
      }
    }
    try {
      if (phone === null) throw ApplicationFailure.nonRetryable(`No phone number is known for WhatsApp chat ${chatId}`, ErrorType.WhatsAppRecipientUnknown);
      lastSent = await sendPart(deps, phone, part, message.quotedWhatsappId);
      await completeRelay(deps.db, claim, { whatsappMessageId: lastSent, chatwootConversationId: message.conversationId });
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || !error.nonRetryable) throw error;
      await completeRelay(deps.db, claim, { chatwootConversationId: message.conversationId }, 'failed', error.message);
      await deps.chatwoot.setMessageStatus(message.conversationId, message.chatwootMessageId, 'failed', error.message);
      await deps.chatwoot.createMessage(message.conversationId, {
        messageType: 'outgoing',
        private: true,
        content: `Esta mensagem não chegou ao WhatsApp do condutor: ${error.message}. Verifique o número ou tente de novo.`,
      });
      return;
    }
  }
  if (lastSent !== null) await deps.chatwoot.setMessageStatus(message.conversationId, message.chatwootMessageId, 'sent');
}
