import type { Client } from '@temporalio/client';
import type { Registry } from 'prom-client';
import { chatHandOffFrom } from '../platform/chat-hand-off.ts';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db.ts';
import type { DocumentStorage } from '../platform/storage/document-storage.ts';

/** The chat workflows' hand-off, from the API's configuration. */
export const chatHandOff = (deps: Pick<AppDependencies, 'temporal' | 'config'>) => chatHandOffFrom(deps.temporal, deps.config);

/** What the HTTP layer needs; `api/server.ts` builds the real ones, tests may pass others. */
export interface AppDependencies {
  config: Pick<
    Config,
    | 'DOCUMENT_MAX_MB' | 'DOCUMENT_MAX_MEGAPIXELS' | 'DOCUMENT_URL_ALLOWED_HOSTS' | 'DOCUMENT_URL_TIMEOUT'
    | 'INTAKE_BODY_LIMIT_BYTES' | 'INTAKE_SHARED_SECRET' | 'REVIEWER_TOKENS' | 'REVIEWER_REMINDER_AFTER'
    | 'REVIEWER_REMINDER_EVERY' | 'TEMPORAL_TASK_QUEUE' | 'LOG_LEVEL' | 'TRUST_PROXY'
    | 'WPPCONNECT_WEBHOOK_TOKEN' | 'CHATWOOT_WEBHOOK_SECRET' | 'CHATWOOT_VERIFY_SIGNATURE' | 'CHATWOOT_INBOX_ID'
    | 'BRIDGE_TASK_QUEUE' | 'BRIDGE_IDLE_TIMEOUT' | 'BRIDGE_BATCH_SIZE' | 'BRIDGE_INCLUDE_GROUPS'
    | 'TYPEBOT_URL' | 'TYPEBOT_TRIGGER_KEYWORDS' | 'TYPEBOT_START_ON_NEW_CONVERSATION' | 'TYPEBOT_REMINDER_AFTER' | 'TYPEBOT_SESSION_TTL'
  >;
  db: Db;
  storage: DocumentStorage;
  temporal: Client;
  /** Prometheus registry served at /metrics. */
  metrics: Registry;
  /** Injectable for tests of the URL fetcher; defaults to global fetch. */
  fetch?: typeof fetch;
}
