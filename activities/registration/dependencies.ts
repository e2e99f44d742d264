import type { Client } from '@temporalio/client';
import type { ChatEvent } from '../../domain/chat.ts';
import type { ChatwootClient } from '../../integrations/chatwoot/client.ts';
import type { WppConnectClient } from '../../integrations/wppconnect/client.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import type { BackupSources } from '../../platform/backup/make-backup.ts';
import type { BackupTarget } from '../../platform/backup/targets.ts';
import type { Db } from '../../platform/db.ts';
import type { DocumentStorage } from '../../platform/storage/document-storage.ts';
import type { RegistrationMetrics } from './metrics.ts';

/** What the registration activities work with; `app/system.ts` builds the real ones, tests may pass others. */
export interface RegistrationDependencies {
  db: Db;
  /** The keys that open drivers' personal fields, and their blind indexes. */
  personal: PersonalData;
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
  /** How long the correction code sent with a correction request is accepted (default 14 days). */
  correctionCodeTtlMs?: number;
  /**
   * The registration flow's public address (Typebot's share link, REGISTRATION_FORM_URL): a correction
   * request for a registration that did not come from a chat links to it with its correction code.
   */
  correctionFormUrl?: string;
  /**
   * Hands events to a chat's workflow (the bridge's hand-off), set when the bridge runs with the
   * registration bot: a reviewer's correction is then asked for in the registration's chat.
   */
  chatEvents?: (chatId: string, events: ChatEvent[]) => Promise<void>;
  /** For the self-repair activities, which look at the registrations' workflows. */
  temporal?: Client;
  /** For the backup schedule's activity: what it reads, where it writes. */
  backup?: { sources: BackupSources; target: BackupTarget };
}
