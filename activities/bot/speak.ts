/**
 * What the bot says reaches the driver once and the agents once: each part goes to WhatsApp
 * through the shared delivery, then into the chat's Chatwoot conversation, marked as the bot's and
 * with a `bot:` source id, so the webhook that comes back is never sent to WhatsApp.
 */
import { Context, log } from '@temporalio/activity';
import type { WhatsAppPart } from '../../domain/bot-dialogue.ts';
import { chatwootSourceId } from '../../domain/chat.ts';
import { agentNotes, agentRenderings } from '../../domain/texts/agents.ts';
import { downloadAtMost } from '../../integrations/http/download.ts';
import { recordChatwootCopy } from '../../platform/stores/deliveries.ts';
import { postToConversationOnce } from '../delivery/chatwoot-once.ts';
import { phoneOfChat } from '../delivery/recipient.ts';
import { fileNameFromUrl, sendToWhatsAppOnce, type WhatsAppContent } from '../delivery/whatsapp-once.ts';
import type { BotDependencies, BotStep } from './dependencies.ts';

/** The bot's own media (Typebot's storage) is downloaded within this time. */
const mediaTimeoutMs = 30_000;

/**
 * A picture or file in the flow as WhatsApp content: past the media limit, or from a host that is
 * not an allowed source (Typebot's, or BRIDGE_MEDIA_ALLOWED_HOSTS), the driver gets its link
 * instead and nothing is fetched.
 */
function contentOf(deps: BotDependencies, part: WhatsAppPart): WhatsAppContent {
  if (part.kind === 'text') return { kind: 'text', text: part.text };
  return {
    kind: 'media',
    caption: part.caption,
    filename: fileNameFromUrl(part.url),
    showAs: part.mediaType === 'image' || part.mediaType === 'audio' ? part.mediaType : 'file',
    instead: [part.caption, part.url].filter(Boolean).join('\n'),
    load: async () => {
      const download = await downloadAtMost(globalThis.fetch, part.url, {
        maxBytes: deps.mediaMaxBytes,
        timeoutMs: mediaTimeoutMs,
        what: `The bot's ${part.mediaType}`,
        allowedHosts: deps.mediaAllowedHosts,
        signal: Context.current().cancellationSignal,
      });
      if (download.status === 'not-allowed') {
        log.warn("The bot's media was not downloaded; its link goes instead", { reason: download.reason });
        return null;
      }
      if (download.status === 'refused') throw new Error(`The bot's ${part.mediaType} at ${part.url} answered ${download.httpStatus}`);
      return download.status === 'ok' ? download : null;
    },
  };
}

/** Sends the parts of a bot turn, in order, each once to WhatsApp and once into Chatwoot. */
export async function speak(deps: BotDependencies, step: BotStep, parts: WhatsAppPart[]): Promise<void> {
  const phone = parts.length === 0 ? null : await phoneOfChat(deps.wppconnect, step.chatId);
  for (const [index, part] of parts.entries()) {
    const key = `${step.key}:${index}`;
    const deliveryKey = `bot:${key}`;
    const sent = await sendToWhatsAppOnce(deps, { key: deliveryKey, origin: 'bot', chatId: step.chatId, ...(phone === null ? {} : { phone }), content: contentOf(deps, part) });
    if (sent.outcome === 'failed' || step.chatwoot === null || sent.chatwoot !== null) continue;
    // A part this attempt sent cannot have been copied before; one sent earlier may have been, its copy not yet recorded.
    const copy = await postToConversationOnce(deps.chatwoot, step.chatwoot.conversationId, chatwootSourceId.bot(key), () => ({
      messageType: 'outgoing',
      content: part.kind === 'text' ? agentRenderings.botMessage(part.text) : agentRenderings.botMedia(part.caption, part.mediaType, part.url),
    }), { lookFirst: sent.alreadySent });
    await recordChatwootCopy(deps.db, deps.personal, deliveryKey, { conversationId: step.chatwoot.conversationId, messageId: copy.id });
  }
}

/** A note only agents see, once per step: the driver asked for a person. */
export async function noteHandOver(deps: BotDependencies, step: BotStep): Promise<void> {
  if (step.chatwoot === null) return;
  await postToConversationOnce(deps.chatwoot, step.chatwoot.conversationId, chatwootSourceId.bot(`${step.key}:note`), () => ({
    messageType: 'outgoing', private: true, content: agentNotes.botHandedOver(),
  }), { lookFirst: true });
}
