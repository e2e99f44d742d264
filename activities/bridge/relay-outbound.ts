import { ApplicationFailure } from '@temporalio/common';
import type { AgentReply } from '../../domain/chat.ts';
import { agentNotes } from '../../domain/texts/agents.ts';
import { sendToWhatsAppOnce, type WhatsAppContent } from '../delivery/whatsapp-once.ts';
import type { BridgeDependencies } from './dependencies.ts';

/** A reply of text and files becomes WhatsApp messages: the files (the text as the first caption), or the text alone. */
function partsOf(deps: BridgeDependencies, reply: AgentReply): WhatsAppContent[] {
  if (reply.attachments.length === 0) return reply.text === null || reply.text === '' ? [] : [{ kind: 'text', text: reply.text }];
  return reply.attachments.map((attachment, index) => ({
    kind: 'media',
    caption: index === 0 ? reply.text : null,
    filename: decodeURIComponent(new URL(attachment.dataUrl).pathname.split('/').pop() ?? 'ficheiro'),
    ...(attachment.fileType === 'image' || attachment.fileType === 'audio' ? { showAs: attachment.fileType } : {}),
    load: () => deps.chatwoot.downloadAttachment(attachment.dataUrl, deps.mediaMaxBytes),
  }));
}

/**
 * Sends an agent's Chatwoot reply to the driver on WhatsApp, each part once, and marks it sent in
 * Chatwoot. A send that WhatsApp refuses for good is marked failed with a private note for the
 * agent, and the reply reported 'refused'.
 */
export async function relayOutbound(deps: BridgeDependencies, chatId: string, reply: AgentReply): Promise<'relayed' | 'refused'> {
  let sent = false;
  for (const [part, content] of partsOf(deps, reply).entries()) {
    try {
      const result = await sendToWhatsAppOnce(deps, {
        key: `agent:${chatId}:${reply.chatwootMessageId}:${part}`,
        origin: 'agent',
        chatId,
        chatwoot: { conversationId: reply.conversationId, messageId: reply.chatwootMessageId },
        content,
        quotedMessageId: reply.quotedWhatsappId,
      });
      if (result.outcome === 'failed') return 'refused';
      sent = true;
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || !error.nonRetryable) throw error;
      await deps.chatwoot.setMessageStatus(reply.conversationId, reply.chatwootMessageId, 'failed', error.message);
      await deps.chatwoot.createMessage(reply.conversationId, { messageType: 'outgoing', private: true, content: agentNotes.replyNotDelivered(error.message) });
      return 'refused';
    }
  }
  if (sent) await deps.chatwoot.setMessageStatus(reply.conversationId, reply.chatwootMessageId, 'sent');
  return 'relayed';
}
