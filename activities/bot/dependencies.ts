import type { ChatwootLink } from '../../domain/chat.ts';
import type { TypebotClient } from '../../integrations/typebot/client.ts';
import type { BridgeDependencies } from '../bridge/dependencies.ts';

/** The bridge's dependencies plus Typebot: the bot talks through the same WhatsApp and Chatwoot clients. */
export interface BotDependencies extends BridgeDependencies {
  typebot: TypebotClient;
  /** The published flow's public id. */
  publicId: string;
  /** Hosts the flow's pictures and files may be downloaded from (Typebot's own and BRIDGE_MEDIA_ALLOWED_HOSTS). */
  mediaAllowedHosts: readonly string[];
}

/** One step of the bot in a chat. */
export interface BotStep {
  chatId: string;
  chatwoot: ChatwootLink | null;
  /** From business ids (the driver's message, the session's turn): the same step never acts twice. */
  key: string;
}
