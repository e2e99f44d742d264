import type { BotSettings } from '../../domain/bot.ts';
import type { ChatwootClient } from '../../integrations/chatwoot/client.ts';
import type { WppConnectClient } from '../../integrations/wppconnect/client.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import type { Db } from '../../platform/db.ts';
import type { VoiceNotes } from '../../platform/media/voice-notes.ts';
import type { DocumentStorage } from '../../platform/storage/document-storage.ts';
import type { BridgeMetrics } from './metrics.ts';

/** What the bridge's activities work with; `app/system.ts` builds the real ones, tests may pass others. */
export interface BridgeDependencies {
  db: Db;
  /** The keys the bot's kept turns are sealed with (the chat's). */
  personal: PersonalData;
  storage: DocumentStorage;
  chatwoot: ChatwootClient;
  wppconnect: WppConnectClient;
  mediaMaxBytes: number;
  resolvedConversations: 'reopen' | 'new';
  metrics: BridgeMetrics;
  /** The Chatwoot conversation where the WhatsApp session's health is noted (CHATWOOT_OPERATIONS_CONVERSATION); null: none. */
  operationsConversationId: number | null;
  /** Turns agents' recordings into voice notes WhatsApp plays (ffmpeg); unset: they go as they came. */
  voiceNotes?: VoiceNotes;
  /** Whether an agent's reply goes to WhatsApp with the agent's name first (BRIDGE_AGENT_SIGNATURE). */
  agentSignature: boolean;
  /**
   * Who gives the driver blue ticks (BRIDGE_READ_RECEIPTS): 'whatsapp', WPPConnect as the webhook is
   * answered (its webhook.readMessage); 'agent', the bridge when an agent takes the conversation (a
   * reply reads the chat anyway). Unset: 'whatsapp'.
   */
  readReceipts?: 'whatsapp' | 'agent';
  /**
   * Starts a chat's history import when it is bridged for the first time (its contact has no
   * conversation yet), importing what WhatsApp stamped before `until` (seconds); once per chat.
   * Unset: imports are off (BRIDGE_HISTORY_IMPORT_DAYS=0).
   */
  firstBridged?: (chatId: string, until: number) => Promise<void>;
  /** The registration bot's settings from the configuration (null: no bot); every relay hands them to its chat. */
  bot: BotSettings | null;
}
