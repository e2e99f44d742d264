import { log } from '@temporalio/activity';
import { getRegistration } from '../../platform/stores/registrations.ts';
import type { RegistrationDependencies } from './dependencies.ts';

/**
 * A correction request for a registration that came from a chat: the chat's workflow is told
 * (started if it had ended) to resume the bot there, which asks the driver for only the items
 * named. Only ids go along; the event's ref makes a retry the same event. Without the bridge's bot
 * (no Typebot configured) there is nobody to ask: the decision message said how to correct instead.
 */
export function createAskCorrectionInChat(deps: Pick<RegistrationDependencies, 'db' | 'personal' | 'chatEvents'>) {
  return async function askCorrectionInChat(input: { registrationId: string; round: number }): Promise<{ asked: boolean }> {
    const chatId = (await getRegistration(deps.db, deps.personal, input.registrationId))?.chat?.whatsappChatId ?? null;
    if (deps.chatEvents === undefined || chatId === null) {
      log.info('The correction is not asked in a chat', { registrationId: input.registrationId, bot: deps.chatEvents !== undefined });
      return { asked: false };
    }
    await deps.chatEvents(chatId, [{ kind: 'control', control: 'ask-correction', ref: `${input.registrationId}:round-${input.round}` }]);
    return { asked: true };
  };
}
