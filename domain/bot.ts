/**
 * The registration bot's part of a chat, shared by the chat's workflow (which decides when the bot
 * talks) and the bot's activities (which talk to Typebot, WhatsApp and Chatwoot).
 */
import type { ChatInput } from './typebot-chat.ts';

/** When the bot talks in a chat, and how long it waits for the driver: the worker's configuration. */
export interface BotSettings {
  /** A driver's message containing one of these (case and accents ignored) starts the bot. */
  keywords: string[];
  /** Every new Chatwoot conversation starts with the bot. */
  startOnNewConversation: boolean;
  /** Silence after the bot's question before its one reminder. */
  reminderAfterMs: number;
  /** Silence after which the session is dropped and the chat may end. */
  sessionTtlMs: number;
}

/** What the chat's workflow keeps of a turn: the session and the question now waiting (null: the flow ended). */
export interface BotTurn {
  sessionId: string;
  awaiting: ChatInput | null;
  /** Typebot no longer knows the session (it expired there); the driver was told how to start again. */
  gone: boolean;
}

/** The bot's part of a chat, carried across continue-as-new. */
export interface BotState {
  session: { sessionId: string; awaiting: BotTurn['awaiting']; turn: number } | null;
  /** People are talking (an agent replied or took the conversation, or the company phone wrote): the bot is silent. */
  paused: boolean;
}
