import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BotTurn } from '../../domain/bot.ts';
import { renderForWhatsApp } from '../../domain/bot-dialogue.ts';
import type { InboundMessage } from '../../domain/chat.ts';
import { ErrorType } from '../../domain/errors.ts';
import { botLines } from '../../domain/texts/bot.ts';
import type { ChatInput, TypebotTurn } from '../../domain/typebot-chat.ts';
import type { BotDependencies, BotStep } from './dependencies.ts';
import { noteHandOver, speak } from './speak.ts';
import { continueSession, startSession } from './turns.ts';
import { forgetBotTurns } from '../../platform/stores/bot.ts';
import { heartbeating } from '../delivery/heartbeating.ts';

export type { BotDependencies } from './dependencies.ts';

const turnOf = (sessionId: string, response: TypebotTurn): BotTurn => ({ sessionId, awaiting: response.input, gone: false });

/**
 * The registration bot's activities for a chat's workflow: Typebot's turns (turns.ts), what the bot
 * says reaching WhatsApp and Chatwoot once (speak.ts).
 */
export function createBotActivities(deps: BotDependencies) {
  return {
    /** Starts a session and says the flow's first turn; `correction`: the flow asks for what a reviewer named, not a new registration. */
    startBot: (input: BotStep & { senderName: string | null; correction?: boolean }): Promise<BotTurn> => heartbeating(async () => {
      const response = await startSession(deps, input, input.senderName, input.correction === true);
      await speak(deps, input, renderForWhatsApp(response.messages, response.input));
      return turnOf(response.sessionId, response);
    }),

    /** The driver's answer to the waiting question, and the bot's next turn. */
    answerBot: (input: BotStep & { session: { sessionId: string; awaiting: ChatInput | null }; message: InboundMessage }): Promise<BotTurn> => heartbeating(async () => {
      const { sessionId } = input.session;
      let response: TypebotTurn;
      try {
        response = await continueSession(deps, input, input.session, input.message);
      } catch (error) {
        if (!(error instanceof ApplicationFailure) || error.type !== ErrorType.TypebotSessionGone) throw error;
        log.warn('Typebot no longer knows the session', { sessionId });
        await speak(deps, input, [{ kind: 'text', text: botLines.sessionGone }]);
        await forgetBotTurns(deps.db, deps.personal, input.chatId, input.key);
        return { sessionId, awaiting: null, gone: true };
      }
      await speak(deps, input, renderForWhatsApp(response.messages, response.input));
      // The flow has ended (the registration sent): what the bot kept of the dialogue is not needed any more.
      if (response.input === null) await forgetBotTurns(deps.db, deps.personal, input.chatId, input.key);
      return turnOf(sessionId, response);
    }),

    /** The bot's own lines: the reminder after silence, the hand-over to a person (with a note for agents). */
    botSays: (input: BotStep & { say: 'reminder' | 'hand-over' }): Promise<void> => heartbeating(async () => {
      await speak(deps, input, [{ kind: 'text', text: input.say === 'reminder' ? botLines.reminder : botLines.handOver }]);
      if (input.say === 'hand-over') await noteHandOver(deps, input);
    }),
  };
}

export type BotActivities = ReturnType<typeof createBotActivities>;
