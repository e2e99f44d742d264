import type { Db } from '../platform/db.ts';
import type { DocumentStorage } from '../platform/storage/document-storage.ts';
import type { ChatwootClient } from './clients/chatwoot-client.ts';
import type { WppConnectClient } from './clients/wppconnect-client.ts';
import type { RegistrationMetrics } from './registration-metrics.ts';
import { createPrepareDocuments } from './prepare-documents.ts';
import { createRecordDecision } from './record-decision.ts';
import { createNotifyDriver } from './notify-driver.ts';
import { createRemindReviewers } from './remind-reviewers.ts';
import { createTellConversation } from './tell-conversation.ts';

export interface ActivityDependencies {
  db: Db;
  storage: DocumentStorage;
  wppconnect: WppConnectClient;
  /** Set when the bridge runs: registrations that came from the bot get notes and labels in their conversation. */
  chatwoot?: ChatwootClient | undefined;
  metrics: RegistrationMetrics;
  documentMaxPixels: number;
  /** Where reviewers open a registration, e.g. https://ops.example.pt; links are `${reviewBaseUrl}/drivers/<id>`. */
  reviewBaseUrl: string;
  /** Optional WhatsApp number (E.164) that receives reviewer reminders. */
  reviewerWhatsApp?: string;
  reminderAfterMs: number;
  reminderEveryMs: number;
}

/** The registration activities; only `workers/` builds the real dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    prepareDocuments: createPrepareDocuments(deps),
    recordDecision: createRecordDecision(deps),
    notifyDriver: createNotifyDriver(deps),
    remindReviewers: createRemindReviewers(deps),
    tellConversation: createTellConversation(deps),
  };
}

export type RegistrationActivities = ReturnType<typeof createActivities>;
