import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  agentReplyDeliveryKeys, chatwootSourceId, whatsappDeleteForEveryoneHours,
  type AgentDeletion, type ChatwootLink, type DriverDeletion, type DriverReaction,
} from '../../domain/chat.ts';
import { agentNotes, agentRenderings } from '../../domain/texts/agents.ts';
import { deliveryOfMessage, replyParts } from '../../platform/stores/deliveries.ts';
import { inboundCopy } from '../../platform/stores/relays.ts';
import { postToConversationOnce } from '../delivery/chatwoot-once.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { resolveConversation } from './resolve-conversation.ts';

/**
 * What people do to messages already in the chat: a driver's reaction or "delete for everyone", shown
 * in Chatwoot against the message they are about (the original is never changed: it is the evidence),
 * and an agent's deletion of a reply, carried to WhatsApp while WhatsApp allows it.
 */

interface ChatwootCopy {
  conversationId: number;
  messageId: number;
}

/** Where a message of the chat is in Chatwoot: a driver's, relayed, or the company's, sent for an agent or the bot. */
async function chatwootCopyOf(deps: BridgeDependencies, chatId: string, whatsappId: string): Promise<ChatwootCopy | null> {
  if (!whatsappId.startsWith('true_')) return inboundCopy(deps.db, deps.personal, { chatId, whatsappMessageId: whatsappId });
  const sent = await deliveryOfMessage(deps.db, deps.personal, whatsappId);
  const copy = sent?.chatwoot ?? null;
  return copy === null || copy.conversationId === null ? null : { conversationId: copy.conversationId, messageId: copy.messageId };
}

/** The conversation a note about a message goes in: the message's own (a note reopens nothing), else the chat's current one. */
async function conversationFor(deps: BridgeDependencies, chatId: string, copy: ChatwootCopy | null, link: ChatwootLink | null): Promise<number> {
  if (copy !== null) return copy.conversationId;
  if (link !== null) return link.conversationId;
  return (await resolveConversation(deps, chatId, null)).conversationId;
}

/**
 * A driver's reaction (or its removal) as a message from them, in the chat's current conversation
 * like anything else they send (so one to last week's message does not reopen last week's), in
 * reply to the message reacted to when that message is in it.
 */
export async function relayReaction(deps: BridgeDependencies, chatId: string, reaction: DriverReaction, link: ChatwootLink | null): Promise<ChatwootLink> {
  const current = link ?? (await resolveConversation(deps, chatId, null));
  const copy = await chatwootCopyOf(deps, chatId, reaction.targetWhatsappId);
  await postToConversationOnce(deps.chatwoot, current.conversationId, chatwootSourceId.reaction(reaction.reactionId, reaction.at, reaction.emoji), () => ({
    messageType: 'incoming',
    content: agentRenderings.reaction(reaction.emoji),
    ...(copy?.conversationId === current.conversationId ? { inReplyTo: copy.messageId } : {}),
  }), { lookFirst: true });
  return { contactId: current.contactId, conversationId: current.conversationId };
}

/** A driver deleted a message for everyone: a private note in reply to it; the message itself stays as it was. */
export async function relayDriverDeletion(deps: BridgeDependencies, chatId: string, deletion: DriverDeletion, link: ChatwootLink | null): Promise<void> {
  const copy = await chatwootCopyOf(deps, chatId, deletion.targetWhatsappId);
  const conversationId = await conversationFor(deps, chatId, copy, link);
  await postToConversationOnce(deps.chatwoot, conversationId, chatwootSourceId.revokedNote(deletion.targetWhatsappId), () => ({
    messageType: 'outgoing',
    private: true,
    content: agentNotes.driverDeleted(),
    ...(copy === null ? {} : { inReplyTo: copy.messageId }),
  }), { lookFirst: true });
}

/**
 * An agent deleted a reply in Chatwoot: each WhatsApp message it became is deleted for everyone
 * while WhatsApp allows it; past that, a private note says it is still on the driver's phone. A reply
 * that never reached WhatsApp needs nothing (one still waiting in the chat's queue was dropped there).
 */
export async function relayAgentDeletion(deps: BridgeDependencies, chatId: string, deletion: AgentDeletion, now = new Date()): Promise<void> {
  const parts = await replyParts(deps.db, deps.personal, chatId, agentReplyDeliveryKeys(chatId, deletion.chatwootMessageId));
  const sent = parts.filter((part) => part.status === 'sent' && part.whatsappMessageId !== null);
  const deadline = now.getTime() - whatsappDeleteForEveryoneHours * 3_600_000;
  const tooOld = sent.filter((part) => (part.sentAt?.getTime() ?? 0) < deadline);
  for (const part of sent) {
    if (tooOld.includes(part)) continue;
    try {
      await deps.wppconnect.deleteMessage({ chatId, messageId: part.whatsappMessageId! });
    } catch (error) {
      // WhatsApp refused this one for good: the other parts are still deleted. An outage is retried (rethrown).
      if (!(error instanceof ApplicationFailure) || !error.nonRetryable) throw error;
      log.warn('WhatsApp refused to delete a part of an agent\'s reply', { error: error.message });
    }
  }
  if (tooOld.length === 0) return;
  log.info('An agent deleted a reply WhatsApp no longer lets the company delete', { parts: tooOld.length });
  await postToConversationOnce(deps.chatwoot, deletion.conversationId, chatwootSourceId.undeletableNote(deletion.chatwootMessageId), () => ({
    messageType: 'outgoing', private: true, content: agentNotes.replyNotDeletable(whatsappDeleteForEveryoneHours), inReplyTo: deletion.chatwootMessageId,
  }), { lookFirst: true });
}
