import { createAskCorrectionInChat } from './ask-correction-in-chat.ts';
import { createBackupActivities } from './backup.ts';
import type { RegistrationDependencies } from './dependencies.ts';
import { createNotifyDriver } from './notify-driver.ts';
import { createPrepareDocuments } from './prepare-documents.ts';
import { createRecordDecision } from './record-decision.ts';
import { createRemindReviewers } from './remind-reviewers.ts';
import { createRetentionActivities } from './retention.ts';
import { createSelfRepairActivities } from './self-repair.ts';
import { createTellConversation } from './tell-conversation.ts';

/** The driverRegistration workflow's activities, over injected dependencies (`app/system.ts` builds the real ones). */
export function createRegistrationActivities(deps: RegistrationDependencies) {
  return {
    prepareDocuments: createPrepareDocuments(deps),
    recordDecision: createRecordDecision(deps),
    notifyDriver: createNotifyDriver(deps),
    askCorrectionInChat: createAskCorrectionInChat(deps),
    remindReviewers: createRemindReviewers(deps),
    tellConversation: createTellConversation(deps),
    ...createSelfRepairActivities(deps),
    ...createRetentionActivities(deps),
    ...createBackupActivities(deps),
  };
}

export type RegistrationActivities = ReturnType<typeof createRegistrationActivities>;
