import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Registry } from 'prom-client';
import type { Config } from '../platform/config.ts';
import type { PersonalData } from '../platform/crypto/personal-data.ts';
import type { Db } from '../platform/db.ts';
import type { DocumentChecks } from '../platform/documents/document-checks.ts';
import type { DocumentStorage } from '../platform/storage/document-storage.ts';
import type { InboundMessage } from '../domain/chat.ts';
import type { ChatHandOff } from './hand-offs/chat.ts';

/** What the HTTP layer needs; `app/system.ts` builds the real ones. */
export interface AppDependencies {
  config: Pick<
    Config,
    | 'DOCUMENT_MAX_MB' | 'DOCUMENT_MAX_MEGAPIXELS' | 'DOCUMENT_URL_ALLOWED_HOSTS' | 'DOCUMENT_URL_TIMEOUT'
    | 'INTAKE_BODY_LIMIT_BYTES' | 'INTAKE_SHARED_SECRET' | 'REVIEWER_TOKENS' | 'OPERATOR_TOKENS' | 'CODEC_CORS_ORIGINS' | 'REVIEWER_REMINDER_AFTER'
    | 'REVIEWER_REMINDER_EVERY' | 'TEMPORAL_TASK_QUEUE' | 'LOG_LEVEL' | 'TRUST_PROXY'
    | 'WPPCONNECT_WEBHOOK_TOKEN' | 'CHATWOOT_WEBHOOK_SECRET' | 'CHATWOOT_VERIFY_SIGNATURE' | 'CHATWOOT_INBOX_ID'
    | 'BRIDGE_INCLUDE_GROUPS' | 'BRIDGE_TYPING' | 'BRIDGE_TASK_QUEUE' | 'BRIDGE_HISTORY_IMPORT_DAYS' | 'WPPCONNECT_WEBHOOK_BODY_MB' | 'CHATWOOT_WEBHOOK_BODY_MB' | 'CHATWOOT_WEBHOOK_TOKEN'
    | 'API_REQUEST_TIMEOUT' | 'API_CONNECTION_TIMEOUT' | 'API_KEEP_ALIVE_TIMEOUT' | 'REDIS_URL' | 'RATE_LIMIT_PER_ADDRESS'
    | 'RATE_LIMIT_WINDOW' | 'RATE_LIMIT_INTAKE_PER_NIF' | 'RATE_LIMIT_INTAKE_PER_PHONE' | 'RATE_LIMIT_ANSWER_CHECKS' | 'RATE_LIMIT_CORRECTION_CODES' | 'RATE_LIMIT_INTAKE_WINDOW' | 'INTAKE_MAX_IN_FLIGHT' | 'INTAKE_QUEUE_WAIT'
    | 'TEMPORAL_HANDOFF_DEADLINE' | 'RATE_LIMIT_SIGN_INS' | 'RATE_LIMIT_SIGN_IN_WINDOW' | 'CONSOLE_SESSION_SECRET' | 'CONSOLE_IDLE_TIMEOUT'
    | 'CONSOLE_SESSION_MAX' | 'CONSOLE_COOKIE_SECURE' | 'TEMPORAL_UI_URL' | 'CHATWOOT_PUBLIC_URL' | 'CHATWOOT_URL' | 'CHATWOOT_ACCOUNT_ID'
    | 'TEMPORAL_NAMESPACE' | 'NODE_ENV' | 'REGISTRATION_FORM_URL' | 'REGISTRATION_CORRECTION_CODE_TTL' | 'TYPEBOT_URL'
    | 'METRICS_TOKEN' | 'OIDC_ISSUER_URL' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_USERNAME_CLAIM' | 'OIDC_REDIRECT_URL'
  >;
  db: Db;
  /** The keys that open drivers' personal fields, and their blind indexes. */
  personal: PersonalData;
  storage: DocumentStorage;
  /** Inspects uploaded documents in worker threads, with a time limit per file. */
  documentChecks: DocumentChecks;
  temporal: Client;
  /** Hands webhook events to the chats' workflows. */
  chats: ChatHandOff;
  /**
   * A chat's messages on WhatsApp stamped no later than this one and never relayed, oldest first
   * (read from WPPConnect): sent ahead of the next message of a chat whose webhook was refused.
   * Unset: refused messages come by polling only.
   */
  missedMessages?: (chatId: string, message: InboundMessage) => Promise<InboundMessage[]>;
  /**
   * Sends the driver one WhatsApp text once (by `key`), in their chat; false when it could not go.
   * Unset (no WhatsApp configured): nothing is sent.
   */
  tellDriver?: (message: { chatId: string; phone: string; text: string; key: string }) => Promise<boolean>;
  /**
   * Deletes the Chatwoot contact of a WhatsApp chat (with its conversations), for an erasure; false
   * when there is none. Unset (no Chatwoot configured): nothing to delete.
   */
  deleteChatwootContact?: (chatId: string) => Promise<boolean>;
  /**
   * WPPConnect said something of the WhatsApp session (a status-find status, `qrcode`, `closesession`,
   * `logoutsession`): recorded, and the session's health looked at now. Unset: only logged.
   */
  sessionChanged?: (status: string) => Promise<void>;
  /** Shows "typing…" on, or off, on the driver's phone in a chat (WPPConnect's typing call). Unset: agents' typing is not shown. */
  showTyping?: (chatId: string, typing: boolean) => Promise<void>;
  /** The QR code WPPConnect waits to have scanned (PNG), or null; the console shows it to operators. Unset: none. */
  whatsappQrCode?: () => Promise<Buffer | null>;
  /** The payload codec of the system's Temporal client: the codec endpoint decodes with it for the Web UI. */
  payloadCodec?: PayloadCodec;
  /** Prometheus registry served at /metrics. */
  metrics: Registry;
  /**
   * Tests only: runs right after an intake commits its rows; throwing here plays a crash of the API
   * between the commit and the workflow start (no hand-off, no clean-up).
   */
  afterIntakeCommit?: (registrationId: string) => Promise<void>;
  /** Where the request log goes (default stdout); tests capture it to check what is never logged. */
  logStream?: NodeJS.WritableStream;
  /** Tracing is on in this process (README, "Tracing"): requests' spans are named by route template, log lines carry the trace id. */
  traced?: boolean;
  /** Injectable for tests of the URL fetcher; defaults to global fetch. */
  fetch?: typeof fetch;
}
