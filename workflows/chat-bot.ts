import { ActivityFailure, condition, log, patched, proxyActivities } from '@temporalio/workflow';
import type { BotActivities } from '../activities/bot/index.ts';
import type { BotSettings, BotState, BotTurn } from '../domain/bot.ts';
import { botCommand, matchesTrigger } from '../domain/bot-dialogue.ts';
import type { ChatEvent, InboundMessage, RelayResult } from '../domain/chat.ts';

/**
 * Typebot's Chat API call runs the flow's HTTP Request block (the registration intake) inside it,
 * so a turn may take a while; it is not idempotent, so the activity keeps each answer before
 * sending anything and a retry reuses it.
 */
const bot = proxyActivities<BotActivities>({
  startToCloseTimeout: '3 minutes',
  // The steps heartbeat every 5 s: a dead worker's step is retried elsewhere this soon.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Patch id: a bot session's lifetime counts from its question, not from the reminder. */
const sessionLifetimeFromQuestion = 'bot-session-lifetime-from-question';

/**
 * Steers the registration bot from a chat's events, after they were relayed: triggers, the
 * driver's answers, people taking over and handing back, one reminder on silence, and the
 * driver's own "recomeçar" and "atendente". Everything happens in event order, inside the chat's
 * workflow, so the session survives restarts and redeploys.
 */
export function createChatBot(chatId: string, initialSettings: BotSettings, carried: BotState | undefined) {
  let settings = initialSettings;
  const state: BotState = carried ?? { session: null, paused: false };
  let reminderDue = false;

  /** After each question: one reminder after the silence, and the session is let go once its lifetime has passed. */
  async function watchSilence(turn: number): Promise<void> {
    const moved = () => state.session?.turn !== turn;
    const { reminderAfterMs, sessionTtlMs } = settings;
    // The lifetime counts from the question: the first wait is part of it (after an early pause, when
    // how much passed is not known, the whole lifetime runs from the pause). Questions asked before
    // this rule started the lifetime after the reminder wait, and replay that way.
    const fromQuestion = patched(sessionLifetimeFromQuestion);
    const firstWait = fromQuestion ? Math.min(reminderAfterMs, sessionTtlMs) : reminderAfterMs;
    const silent = !(await condition(() => moved() || state.paused, firstWait));
    if (silent && (!fromQuestion || reminderAfterMs <= sessionTtlMs)) reminderDue = true;
    const rest = fromQuestion && silent ? Math.max(sessionTtlMs - firstWait, 1) : sessionTtlMs;
    if (await condition(moved, rest)) return;
    log.info('Bot session dropped after its lifetime without an answer');
    state.session = null;
  }

  // After continue-as-new the question is still waiting for its answer.
  if (state.session !== null) void watchSilence(state.session.turn);

  function took(turn: BotTurn, previousTurn: number): void {
    if (turn.awaiting === null || turn.gone) {
      state.session = null;
      return;
    }
    state.session = { sessionId: turn.sessionId, awaiting: turn.awaiting, turn: previousTurn + 1 };
    void watchSilence(state.session.turn);
  }

  /** A failed bot step is logged, never allowed to stop the chat's relay. */
  async function safely(what: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      log.error('Bot step failed', { what, error: error.cause?.message ?? error.message });
    }
  }

  async function onDriverMessage(message: InboundMessage, relay: RelayResult): Promise<void> {
    if (state.paused) return;
    const chatwoot = relay.chatwoot;
    const text = message.text ?? '';
    const command = botCommand(text);
    const turn = state.session?.turn ?? 0;
    const start = () => safely('start', async () => took(await bot.startBot({ chatId, chatwoot, senderName: message.senderName, key: `start:${message.whatsappId}` }), turn));

    if (command === 'restart') return start();
    if (state.session !== null && command === 'human') {
      state.paused = true;
      return safely('hand-over', () => bot.botSays({ chatId, chatwoot, key: `handover:${message.whatsappId}`, say: 'hand-over' }));
    }
    if (state.session !== null) {
      const session = state.session;
      return safely('answer', async () => took(await bot.answerBot({ chatId, chatwoot, session, message, key: `answer:${message.whatsappId}` }), session.turn));
    }
    if (matchesTrigger(text, settings.keywords) || (settings.startOnNewConversation && relay.newConversation)) return start();
  }

  /**
   * A reviewer asked for a correction of a registration from this chat: the bot is resumed, even
   * over a session in progress or people talking, and its flow asks only for the items named (the
   * flow learns them from the API with the session's link token; only ids pass through here).
   */
  async function askCorrection(ref: string, relay: RelayResult): Promise<void> {
    state.paused = false;
    const turn = state.session?.turn ?? 0;
    await safely('correction', async () => took(await bot.startBot({ chatId, chatwoot: relay.chatwoot, senderName: null, correction: true, key: `correction:${ref}` }), turn));
  }

  return {
    state,
    /** New settings (keywords, timings) from the configuration, for the questions still to come. */
    configure(next: BotSettings): void {
      settings = next;
    },
    settings: () => settings,
    /** A reminder is waiting to be sent (the chat's loop sends it in order with its events). */
    reminderDue: () => reminderDue,
    /** An open session keeps the chat's workflow running: its dialogue lives here. */
    holdsChat: () => state.session !== null,

    async remind(chatwoot: RelayResult['chatwoot']): Promise<void> {
      reminderDue = false;
      const session = state.session;
      if (session === null || state.paused) return;
      await safely('reminder', () => bot.botSays({ chatId, chatwoot, key: `remind:${session.sessionId}:${session.turn}`, say: 'reminder' }));
    },

    /** Called with each relayed batch, in order. */
    async afterRelay(events: ChatEvent[], relay: RelayResult): Promise<void> {
      const typedOnPhone = relay.companyPhoneMessages;
      // Results recorded before the per-message list: the company phone paused the bot for the whole batch.
      if (typedOnPhone === undefined && relay.companyPhone) state.paused = true;
      for (const event of events) {
        if (event.kind === 'outbound') state.paused = true;
        else if (event.kind === 'control' && event.control === 'ask-correction') await askCorrection(event.ref, relay);
        else if (event.kind === 'control') state.paused = event.control === 'assigned';
        else if (event.kind === 'ack' && typedOnPhone?.includes(event.whatsappId) === true) state.paused = true;
        else if (event.kind === 'inbound') await onDriverMessage(event, relay);
      }
    },
  };
}
