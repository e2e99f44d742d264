import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isGroupChatId, type AgentReply, type ChatEvent, type ChatwootLink, type InboundMessage, type RelayResult } from '../../domain/chat.ts';
import { replyWait } from '../../platform/stores/response-times.ts';
import { ErrorType } from '../../domain/errors.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { failureReason, messageKind, type BridgeMetrics } from './metrics.ts';
import { createContactNames } from './contact-names.ts';
import { relayAck } from './relay-ack.ts';
import { createCheckWhatsAppSession } from './session-health.ts';
import { relayInbound } from './relay-inbound.ts';
import { relayAgentDeletion, relayDriverDeletion, relayReaction } from './relay-message-actions.ts';
import { relayOutbound } from './relay-outbound.ts';
import { resolveConversation } from './resolve-conversation.ts';

/**
 * The link a workflow carries may point at a conversation deleted in Chatwoot since: when Chatwoot
 * answers 404 and the chat's conversation, looked up again, is another one, the message goes there.
 */
async function relayInboundOnLiveConversation(
  deps: BridgeDependencies, chatId: string, message: InboundMessage, link: ChatwootLink | null,
): Promise<{ link: ChatwootLink; created: boolean; now: boolean }> {
  const resolved = link === null ? await resolveConversation(deps, chatId, message.senderName, message.timestamp) : null;
  const current = resolved === null ? link! : { contactId: resolved.contactId, conversationId: resolved.conversationId };
  try {
    const now = await relayInbound(deps, chatId, message, current);
    return { link: current, created: resolved?.created ?? false, now };
  } catch (error) {
    if (link === null || !(error instanceof ApplicationFailure) || error.type !== ErrorType.NotFound) throw error;
    const found = await resolveConversation(deps, chatId, message.senderName, message.timestamp);
    if (found.conversationId === link.conversationId) throw error;
    log.warn('The chat\'s Chatwoot conversation is gone; relaying to its new one', { gone: link.conversationId, now: found.conversationId });
    const replacement = { contactId: found.contactId, conversationId: found.conversationId };
    const now = await relayInbound(deps, chatId, message, replacement);
    return { link: replacement, created: found.created, now };
  }
}

function countRelayed(metrics: BridgeMetrics, message: InboundMessage | AgentReply): void {
  metrics.messages.inc({ direction: message.kind, kind: messageKind(message) });
  if (message.receivedAt !== undefined) metrics.relayLatencySeconds.observe({ direction: message.kind }, Math.max(0, Date.now() - message.receivedAt) / 1000);
}

/** An agent's reply reached WhatsApp: how long the driver had waited for it, when they had (a metric's lookup: it never fails the relay). */
async function observeAgentResponse(deps: BridgeDependencies, chatId: string, reply: AgentReply): Promise<void> {
  const wait = await replyWait(deps.db, deps.personal, { chatId, conversationId: reply.conversationId, messageId: reply.chatwootMessageId }).catch(() => null);
  if (wait === null || wait.waitingSince === null) return;
  deps.metrics.agentResponseSeconds.observe({ reply: wait.first ? 'first' : 'next' }, Math.max(0, Date.now() - wait.waitingSince.getTime()) / 1000);
}

/** The bridge's activities; only `app/system.ts` builds the real dependencies. */
export function createBridgeActivities(deps: BridgeDependencies) {
  const followName = createContactNames();
  /** A name that cannot be followed now is followed with the driver's next message: it never holds up the relay. */
  const followNameOf = async (chatId: string, event: InboundMessage, link: ChatwootLink) => {
    if (event.senderName === null || isGroupChatId(chatId)) return;
    await followName(deps, chatId, link.contactId, event.senderName).catch((error: unknown) => {
      log.warn('The driver\'s WhatsApp name could not be followed on their Chatwoot contact', { error: error instanceof Error ? error.name : 'unknown' });
    });
  };
  return {
    checkWhatsAppSession: createCheckWhatsAppSession(deps),

    /**
     * Handles a batch of a chat's events in order. Each event is idempotent on its own, so a retry
     * of the batch redoes nothing that was done; the heartbeat lets a retry skip ahead.
     */
    async handleChatEvents(input: { chatId: string; events: ChatEvent[]; chatwoot: ChatwootLink | null }): Promise<RelayResult> {
      const context = Context.current();
      const resumeAt = typeof context.info.heartbeatDetails === 'number' ? context.info.heartbeatDetails : 0;
      let link = deps.resolvedConversations === 'new' ? null : input.chatwoot;
      const companyPhoneMessages: string[] = [];
      let newConversation = false;
      for (const [index, event] of input.events.entries()) {
        if (index < resumeAt) continue;
        // A timed-out attempt stops here instead of racing its retry over the events still to relay.
        context.cancellationSignal.throwIfAborted();
        // Progress for a retry to resume from; nothing to record before the first event (a heartbeat is a server call).
        if (index > 0 && !context.info.isLocal) context.heartbeat(index);
        try {
          if (event.kind === 'inbound') {
            const relayed = await relayInboundOnLiveConversation(deps, input.chatId, event, link);
            link = relayed.link;
            await followNameOf(input.chatId, event, link);
            if (relayed.created) newConversation = true;
            // Counted once: a retried batch finds it relayed already.
            if (relayed.now) countRelayed(deps.metrics, event);
          } else if (event.kind === 'outbound') {
            // A long download heartbeats, so the heartbeat timeout never cuts an attempt that is still working.
            const progress = { signal: context.cancellationSignal, ...(context.info.isLocal ? {} : { onProgress: () => context.heartbeat(index) }) };
            const outcome = await relayOutbound(deps, input.chatId, event, progress);
            if (outcome.refused) {
              // Counted when refused, not again when a retry finds the refusal recorded.
              if (outcome.failure !== null) deps.metrics.relayFailures.inc({ kind: event.kind, reason: failureReason(outcome.failure) });
              continue;
            }
            if (outcome.sentNow) {
              countRelayed(deps.metrics, event);
              await observeAgentResponse(deps, input.chatId, event);
            }
          } else if (event.kind === 'ack') {
            if ((await relayAck(deps, event)) === 'company-phone') companyPhoneMessages.push(event.whatsappId);
          } else if (event.kind === 'reaction') {
            link = await relayReaction(deps, input.chatId, event, link);
          } else if (event.kind === 'revoke') {
            await relayDriverDeletion(deps, input.chatId, event, link);
          } else if (event.kind === 'agent-deletion') {
            await relayAgentDeletion(deps, input.chatId, event);
          } else if (event.kind === 'control' && event.control === 'assigned' && deps.readReceipts === 'agent') {
            // An agent took the conversation: the driver sees their messages read (blue ticks) now, not when the webhook was answered.
            await deps.wppconnect.markChatRead(input.chatId);
            continue;
          } else if (event.control === 'ask-correction' && link === null) {
            // The bot is about to talk in a chat the workflow has no conversation for (it had ended): agents see it there.
            const resolved = await resolveConversation(deps, input.chatId, null);
            link = { contactId: resolved.contactId, conversationId: resolved.conversationId };
            continue;
          } else {
            continue; // for the workflow's bot, nothing to relay
          }
        } catch (error) {
          // Outages are retried (the batch waits, order kept); a refusal for good must not block the chat.
          if (!(error instanceof ApplicationFailure) || !error.nonRetryable) throw error;
          log.error('Chat event could not be relayed', { kind: event.kind, error: error.message });
          deps.metrics.relayFailures.inc({ kind: event.kind, reason: failureReason(error) });
          continue;
        }
        if (event.kind === 'ack') deps.metrics.receipts.inc();
      }
      return { chatwoot: link, companyPhone: companyPhoneMessages.length > 0, companyPhoneMessages, newConversation, bot: deps.bot };
    },
  };
}

export type BridgeActivities = ReturnType<typeof createBridgeActivities>;
