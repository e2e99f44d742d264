import { ApplicationFailure } from '@temporalio/common';
import { agentReplyDeliveryKey, agentReplyDeliveryKeys, chatwootSourceId, type AgentReply } from '../../domain/chat.ts';
import { forgetRefusals } from '../../platform/stores/deliveries.ts';
import { agentNotes } from '../../domain/texts/agents.ts';
import { signedByAgent } from '../../domain/whatsapp-formatting.ts';
import { ErrorType } from '../../domain/errors.ts';
import { NotAudioError, voiceNoteType } from '../../platform/media/voice-notes.ts';
import { postToConversationOnce } from '../delivery/chatwoot-once.ts';
import { phoneOfChat } from '../delivery/recipient.ts';
import { fileNameFromUrl, sendToWhatsAppOnce, type WhatsAppContent } from '../delivery/whatsapp-once.ts';
import type { BridgeDependencies } from './dependencies.ts';

/**
 * How a relay attempt follows a long download: `onProgress` heartbeats (a regular activity), and
 * `signal` abandons the download when the attempt was cancelled or timed out, so it never runs beside its retry.
 */
export interface RelayProgress {
  onProgress?: () => void;
  signal?: AbortSignal;
}

/** The reply's text as the driver reads it: signed with the agent's name when BRIDGE_AGENT_SIGNATURE asks (a file alone gets the name as its caption). */
function textOf(deps: BridgeDependencies, reply: AgentReply): string | null {
  const name = deps.agentSignature ? (reply.agentName ?? null) : null;
  if (name === null) return reply.text;
  if ((reply.text ?? '') === '' && reply.attachments.length === 0) return reply.text;
  return signedByAgent(name, reply.text ?? '');
}

/**
 * An agent's recording, as a voice note that plays on a phone: Opus in OGG, whatever the browser
 * recorded (ffmpeg; without it, as it came). One ffmpeg cannot read is refused for good.
 */
async function asVoiceNote(deps: BridgeDependencies, file: { bytes: Buffer; contentType: string }): Promise<{ bytes: Buffer; contentType: string }> {
  if (deps.voiceNotes === undefined) return file;
  try {
    const voice = await deps.voiceNotes.toVoiceNote(file.bytes);
    return voice === null ? file : { bytes: voice, contentType: voiceNoteType };
  } catch (error) {
    if (error instanceof NotAudioError) throw ApplicationFailure.nonRetryable(error.message, ErrorType.UnsupportedMediaType);
    throw error;
  }
}

/** A reply of text and files becomes WhatsApp messages: the files (the text as the first caption), or the text alone. */
function partsOf(deps: BridgeDependencies, reply: AgentReply, progress: RelayProgress): WhatsAppContent[] {
  const text = textOf(deps, reply);
  if (reply.attachments.length === 0) return text === null || text === '' ? [] : [{ kind: 'text', text }];
  return reply.attachments.map((attachment, index) => {
    const download = () => deps.chatwoot.downloadAttachment(attachment.dataUrl, deps.mediaMaxBytes, progress);
    return {
      kind: 'media',
      caption: index === 0 ? text : null,
      filename: fileNameFromUrl(attachment.dataUrl),
      ...(attachment.fileType === 'image' || attachment.fileType === 'audio' ? { showAs: attachment.fileType } : {}),
      load: attachment.fileType === 'audio' ? async () => asVoiceNote(deps, await download()) : download,
    };
  });
}

/** The agent learns the reply did not reach the driver: its status, and a private note said once. */
async function tellAgentNotDelivered(deps: BridgeDependencies, reply: AgentReply, reason: string): Promise<void> {
  await deps.chatwoot.setMessageStatus(reply.conversationId, reply.chatwootMessageId, 'failed', reason);
  await postToConversationOnce(deps.chatwoot, reply.conversationId, chatwootSourceId.undeliveredNote(reply.chatwootMessageId), () => ({
    messageType: 'outgoing', private: true, content: agentNotes.replyNotDelivered(reason),
  }), { lookFirst: true });
}

/**
 * Sends an agent's Chatwoot reply to the driver on WhatsApp, each part once, and marks it sent in
 * Chatwoot. A send that WhatsApp refuses for good is marked failed with a private note for the
 * agent (again on a retry that finds it refused, in case telling them was cut off), and the reply
 * reported refused, with the failure that refused it (null: refused on an earlier attempt); so is an
 * attachment whose address is not an allowed source (nothing fetched). `sentNow`: this attempt sent
 * a part (false when an earlier one had sent them all).
 */
export async function relayOutbound(
  deps: BridgeDependencies, chatId: string, reply: AgentReply, progress: RelayProgress = {},
): Promise<{ refused: false; sentNow: boolean } | { refused: true; failure: ApplicationFailure | null }> {
  // The agent retried it in Chatwoot: what WhatsApp refused is tried once more (what went, never again).
  if (reply.retry !== undefined) await forgetRefusals(deps.db, deps.personal, agentReplyDeliveryKeys(chatId, reply.chatwootMessageId));
  const phone = await phoneOfChat(deps.wppconnect, chatId);
  let sent = false;
  let sentNow = false;
  for (const [part, content] of partsOf(deps, reply, progress).entries()) {
    let refusal: { reason: string; failure: ApplicationFailure | null } | undefined;
    try {
      const result = await sendToWhatsAppOnce(deps, {
        key: agentReplyDeliveryKey(chatId, reply.chatwootMessageId, part),
        origin: 'agent',
        chatId,
        ...(phone === null ? {} : { phone }),
        chatwoot: { conversationId: reply.conversationId, messageId: reply.chatwootMessageId },
        content,
        quotedMessageId: reply.quotedWhatsappId,
      });
      if (result.outcome === 'failed') refusal = { reason: result.error, failure: null };
      else {
        sent = true;
        if (!result.alreadySent) sentNow = true;
      }
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || !error.nonRetryable) throw error;
      refusal = { reason: error.message, failure: error };
    }
    if (refusal !== undefined) {
      await tellAgentNotDelivered(deps, reply, refusal.reason);
      return { refused: true, failure: refusal.failure };
    }
  }
  if (sent) await deps.chatwoot.setMessageStatus(reply.conversationId, reply.chatwootMessageId, 'sent');
  return { refused: false, sentNow };
}
