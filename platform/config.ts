import { msToNumber } from '@temporalio/common';
import { z } from 'zod';
import { masterKeysProblems } from './crypto/keyring.ts';

/** Which Temporal `npm start`, `npm test` and the benches start when TEMPORAL_ADDRESS is unset. */
export const temporalModes = ['dev', 'server'] as const;
export type TemporalMode = (typeof temporalModes)[number];

/**
 * The whole configuration, parsed once from the environment at start-up.
 * Every key is documented in `.env.example`. Nothing reads `process.env` elsewhere.
 */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        const ms = msToNumber(text as Parameters<typeof msToNumber>[0]);
        if (ms > 0) return ms;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 30s, 15m, 48h or 2 days` });
      return z.NEVER;
    });

const splitList = (text: string) => text.split(',').map((item) => item.trim()).filter((item) => item !== '');
const commaList = z.string().default('').transform(splitList);

const reviewerTokens = commaList.transform((entries, ctx) => {
  const tokens = new Map<string, string>();
  for (const entry of entries) {
    const separator = entry.indexOf(':');
    const name = entry.slice(0, separator).trim();
    const token = entry.slice(separator + 1).trim();
    if (separator <= 0 || token.length < 16) {
      ctx.addIssue({ code: 'custom', message: 'each entry must be name:token, with a token of at least 16 characters' });
      return z.NEVER;
    }
    tokens.set(token, name);
  }
  return tokens;
});

const optionalText = z
  .string()
  .optional()
  .transform((text) => (text === undefined || text.trim() === '' ? undefined : text.trim()));

const optionalUrl = optionalText.pipe(z.url().optional());
/** Unset or empty (as compose passes `${VAR:-}`) means absent. */
const optionalId = optionalText.pipe(z.coerce.number<string | undefined>().int().positive().optional());

const megabytes = (fallback: number) => z.coerce.number().positive().default(fallback).transform((mb) => Math.round(mb * 1024 * 1024));
const optionalMegabytes = optionalText.pipe(z.coerce.number<string | undefined>().positive().optional()).transform((mb) => (mb === undefined ? undefined : Math.round(mb * 1024 * 1024)));
const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/**
 * Which proxies to believe about the client's address: `false` (none), a hop count, or a list of
 * addresses and CIDR ranges (Fastify's trustProxy takes all three). `true` trusts every hop, so any
 * client can forge its address: accepted, but discouraged.
 */
const trustProxy = z.string().default('false').transform((text, ctx): boolean | number | string[] => {
  const value = text.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const entries = splitList(value);
  const address = /^(?:[\d.]+|[\da-f:]+)(?:\/\d{1,3})?$/i;
  if (entries.length > 0 && entries.every((entry) => address.test(entry))) return entries;
  ctx.addIssue({ code: 'custom', message: `"${text}" is not false, a hop count, or a list of addresses/CIDR ranges` });
  return z.NEVER;
});

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  PUBLIC_BASE_URL: optionalUrl,
  TRUST_PROXY: trustProxy,
  DATA_DIR: z.string().default('data'),

  DATABASE_URL: optionalUrl,
  DATABASE_CONNECT_TIMEOUT: duration('5s'),
  DATABASE_STATEMENT_TIMEOUT: duration('30s'),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: duration('60s'),

  TEMPORAL_ADDRESS: optionalText,
  /** Without TEMPORAL_ADDRESS, which Temporal `npm start` runs: the CLI's dev server, or the Temporal server on PostgreSQL (README, "Temporal on PostgreSQL"). */
  TEMPORAL_MODE: z.enum(temporalModes).default('dev'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('driver-registration'),

  DOCUMENT_STORAGE_DIR: optionalText,
  /** Where documents and media are kept (README, "Document storage on S3"): `file` (DOCUMENT_STORAGE_DIR) or `s3` (DOCUMENT_S3_*). */
  DOCUMENT_STORAGE: z.enum(['file', 's3']).default('file'),
  DOCUMENT_S3_BUCKET: optionalText,
  DOCUMENT_S3_PREFIX: z.string().default('documents/'),
  /** An S3-compatible endpoint (MinIO, Versity, ...); unset: AWS. */
  DOCUMENT_S3_ENDPOINT: optionalUrl,
  DOCUMENT_S3_REGION: z.string().default('us-east-1'),
  /** Both, or neither (then the AWS SDK's own chain: AWS_* variables, an instance or task role). */
  DOCUMENT_S3_ACCESS_KEY_ID: optionalText,
  DOCUMENT_S3_SECRET_ACCESS_KEY: optionalText,
  /** Unset: path-style exactly when DOCUMENT_S3_ENDPOINT is set. */
  DOCUMENT_S3_FORCE_PATH_STYLE: optionalText.pipe(z.enum(['true', 'false']).optional()).transform((flag) => (flag === undefined ? undefined : flag === 'true')),
  /** Master keys for data at rest, `id:base64,…` (the first wraps new data); required in production. */
  MASTER_KEYS: optionalText,
  DOCUMENT_MAX_MB: megabytes(10),
  DOCUMENT_MAX_MEGAPIXELS: z.coerce.number().positive().default(40),
  DOCUMENT_URL_ALLOWED_HOSTS: commaList,
  DOCUMENT_URL_TIMEOUT: duration('10s'),
  DOCUMENT_CHECK_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  DOCUMENT_CHECK_TIMEOUT: duration('10s'),

  INTAKE_SHARED_SECRET: optionalText,
  REVIEWER_TOKENS: reviewerTokens,
  /** Operators: reviewers who may also export and erase a driver's data (`name:token` pairs). */
  OPERATOR_TOKENS: reviewerTokens,
  /** Origins of the Temporal Web UI allowed to call the codec endpoint from the browser. */
  CODEC_CORS_ORIGINS: commaList.transform((origins) => (origins.length === 0 ? ['http://localhost:8233', 'http://127.0.0.1:8233'] : origins)),

  // The reviewer console (/console): sessions, sign-in limits, and where its links point.
  /** Signs the console's session cookies (32+ characters; several, comma-separated, while rotating: the first signs). Required in production. */
  CONSOLE_SESSION_SECRET: commaList,
  CONSOLE_IDLE_TIMEOUT: duration('30m'),
  CONSOLE_SESSION_MAX: duration('12h'),
  /** `auto`: Secure cookies when the request came over HTTPS (behind a proxy: with TRUST_PROXY set). */
  CONSOLE_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  RATE_LIMIT_SIGN_INS: count(10),
  RATE_LIMIT_SIGN_IN_WINDOW: duration('15m'),
  /** Single sign-on for the console (OpenID Connect, authorization code with PKCE): the issuer, and this API as its client. */
  OIDC_ISSUER_URL: optionalUrl,
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  /** The ID token's claim that names the console account (which must exist: accounts come from npm run accounts). */
  OIDC_USERNAME_CLAIM: z.string().default('preferred_username'),
  /** Where the issuer sends reviewers back: `<console's public address>/console/oidc/callback` (default: from the request's own host). */
  OIDC_REDIRECT_URL: optionalUrl,
  /** The Temporal Web UI as reviewers' browsers reach it: a registration links to its workflow there. */
  TEMPORAL_UI_URL: optionalUrl,
  /** Chatwoot as agents' browsers reach it (default CHATWOOT_URL): a registration links to its conversation. */
  CHATWOOT_PUBLIC_URL: optionalUrl,
  REVIEWER_REMINDER_AFTER: duration('48h'),
  REVIEWER_REMINDER_EVERY: duration('24h'),
  REVIEWER_WHATSAPP: optionalText,

  // Registration integrity (issue 11): correction codes and the self-repair schedule.
  REGISTRATION_CORRECTION_CODE_TTL: duration('14d'),
  /** The registration flow's public address (Typebot's share link): correction requests for web registrations link to it. */
  REGISTRATION_FORM_URL: optionalUrl,
  SELF_REPAIR_SCHEDULE: z.enum(['true', 'false']).default('true').transform((flag) => flag === 'true'),
  SELF_REPAIR_EVERY: duration('5m'),
  SELF_REPAIR_ORPHAN_AGE: duration('1h'),

  // Retention (issue 13): what is kept how long, purged by a Temporal Schedule (README, "Personal data").
  RETENTION_SCHEDULE: z.enum(['true', 'false']).default('true').transform((flag) => flag === 'true'),
  // The WhatsApp session's health (issue 15): a Schedule looks every WHATSAPP_HEALTH_EVERY, WPPConnect's session webhooks at once.
  WHATSAPP_HEALTH_SCHEDULE: z.enum(['true', 'false']).default('true').transform((flag) => flag === 'true'),
  WHATSAPP_HEALTH_EVERY: duration('30s'),
  /** The Chatwoot conversation (id) where the session's health is noted, with the QR code to scan; unset: the log and the gauge only. */
  CHATWOOT_OPERATIONS_CONVERSATION: optionalId,
  RETENTION_EVERY: duration('1d'),
  RETENTION_REJECTED_AFTER: duration('90d'),
  RETENTION_CHAT_MEDIA_AFTER: duration('180d'),
  RETENTION_BOT_RECORDS_AFTER: duration('30d'),

  // Backups (issue 15; README, "Backups and restore"): npm run backup / restore, and a daily Temporal Schedule.
  BACKUP_SCHEDULE: z.enum(['true', 'false']).default('true').transform((flag) => flag === 'true'),
  BACKUP_EVERY: duration('1d'),
  BACKUP_KEEP: count(7),
  /** Where backups go without BACKUP_S3_BUCKET (default DATA_DIR/backups). */
  BACKUP_DIR: optionalText,
  BACKUP_S3_BUCKET: optionalText,
  BACKUP_S3_PREFIX: z.string().default('backups/'),
  /** An S3-compatible endpoint (MinIO, Versity, ...), addressed path-style; unset: AWS. */
  BACKUP_S3_ENDPOINT: optionalUrl,
  BACKUP_S3_REGION: z.string().default('us-east-1'),
  /** Both, or neither (then the AWS SDK's own chain: AWS_* variables, an instance or task role). */
  BACKUP_S3_ACCESS_KEY_ID: optionalText,
  BACKUP_S3_SECRET_ACCESS_KEY: optionalText,
  /** The Temporal dev server's SQLite file, backed up with the rest (npm start sets it when it runs the dev server). */
  BACKUP_TEMPORAL_SQLITE: optionalText,
  /** PostgreSQL's client tools and sqlite3 (unset: Debian's /usr/lib/postgresql/<server>/bin, then the PATH). */
  PG_DUMP: optionalText,
  PG_RESTORE: optionalText,
  SQLITE3: optionalText,

  WPPCONNECT_URL: optionalUrl,
  WPPCONNECT_SESSION: z.string().default('leguas'),
  WPPCONNECT_TOKEN: optionalText,
  WPPCONNECT_SECRET_KEY: optionalText,
  WPPCONNECT_TIMEOUT: duration('15s'),

  WPPCONNECT_WEBHOOK_TOKEN: optionalText,

  CHATWOOT_URL: optionalUrl,
  CHATWOOT_ACCOUNT_ID: optionalId,
  CHATWOOT_INBOX_ID: optionalId,
  CHATWOOT_API_TOKEN: optionalText,
  CHATWOOT_WEBHOOK_SECRET: optionalText,
  CHATWOOT_VERIFY_SIGNATURE: z.enum(['true', 'false']).default('true').transform((flag) => flag === 'true'),
  CHATWOOT_RESOLVED_CONVERSATIONS: z.enum(['reopen', 'new']).default('reopen'),

  BRIDGE_TASK_QUEUE: z.string().default('whatsapp-bridge'),
  BRIDGE_IDLE_TIMEOUT: duration('24h'),
  BRIDGE_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(20),
  BRIDGE_INCLUDE_GROUPS: z.enum(['true', 'false']).default('false').transform((flag) => flag === 'true'),
  BRIDGE_AGENT_SIGNATURE: z.enum(['true', 'false']).default('false').transform((flag) => flag === 'true'),
  BRIDGE_READ_RECEIPTS: z.enum(['whatsapp', 'agent']).default('whatsapp'),
  BRIDGE_TYPING: z.enum(['true', 'false']).default('true').transform((flag) => flag === 'true'),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  BRIDGE_MEDIA_MAX_MB: megabytes(16),
  BRIDGE_POLLING: z.enum(['true', 'false']).default('true').transform((flag) => flag === 'true'),
  BRIDGE_POLL_MIN_INTERVAL: duration('2s'),
  BRIDGE_POLL_MAX_INTERVAL: duration('10s'),
  BRIDGE_RECONCILE_EVERY: duration('5m'),
  BRIDGE_RECONCILE_WINDOW: duration('1h'),
  BRIDGE_MEDIA_ALLOWED_HOSTS: commaList,
  BRIDGE_QUEUE_MAX: z.coerce.number().int().min(10).default(500),
  BRIDGE_REPLY_ORDER_WINDOW: duration('1s'),
  BRIDGE_INBOUND_ORDER_WINDOW: duration('500ms'),
  BRIDGE_HISTORY_IMPORT_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  BRIDGE_HISTORY_IMPORT_PER_MINUTE: z.coerce.number().int().min(6).max(3000).default(60),

  TYPEBOT_URL: optionalUrl,
  TYPEBOT_PUBLIC_ID: z.string().default('cadastro-motorista'),
  // Unset or empty (as compose passes `${VAR:-}`): the default words.
  TYPEBOT_TRIGGER_KEYWORDS: optionalText.transform((text) => splitList(text ?? 'cadastro,registo,registar,inscrição,quero ser motorista')),
  TYPEBOT_START_ON_NEW_CONVERSATION: z.enum(['true', 'false']).default('false').transform((flag) => flag === 'true'),
  TYPEBOT_REMINDER_AFTER: duration('30m'),
  TYPEBOT_SESSION_TTL: duration('7d'),
  TYPEBOT_TIMEOUT: duration('90s'),

  // --- The API's edge: what is read, from whom, how fast (see README, "Security") ---
  API_REQUEST_TIMEOUT: duration('60s'),
  API_CONNECTION_TIMEOUT: duration('90s'),
  API_KEEP_ALIVE_TIMEOUT: duration('5s'),
  TEMPORAL_HANDOFF_DEADLINE: duration('2s'),
  WPPCONNECT_WEBHOOK_BODY_MB: optionalMegabytes,
  CHATWOOT_WEBHOOK_BODY_MB: megabytes(1),
  CHATWOOT_WEBHOOK_TOKEN: optionalText,
  REDIS_URL: optionalUrl,
  RATE_LIMIT_PER_ADDRESS: count(60),
  RATE_LIMIT_WINDOW: duration('1m'),
  RATE_LIMIT_INTAKE_PER_NIF: count(5),
  RATE_LIMIT_INTAKE_PER_PHONE: count(5),
  RATE_LIMIT_ANSWER_CHECKS: count(300),
  RATE_LIMIT_CORRECTION_CODES: count(120),
  RATE_LIMIT_INTAKE_WINDOW: duration('1h'),
  INTAKE_MAX_IN_FLIGHT: count(8),
  /** How long an intake waits for a slot before it is refused 503 (0: refused at once). */
  INTAKE_QUEUE_WAIT: duration('6s'),

  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** host:port where the Temporal SDK serves its own worker metrics (/metrics); unset: not served. */
  TEMPORAL_SDK_METRICS_ADDRESS: optionalText.pipe(z.string().regex(/^[\w.-]+:\d{1,5}$/, 'TEMPORAL_SDK_METRICS_ADDRESS is host:port, e.g. 0.0.0.0:9465').optional()),
  /** The API's GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (16+ characters); required in production. */
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'METRICS_TOKEN needs at least 16 characters').optional()),

  // Tracing (OpenTelemetry), by the standard variables; off unless one of them turns it on (platform/tracing/settings.ts).
  // The SDK reads the other standard ones itself (OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES...).
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false').transform((flag) => flag === 'true'),
  OTEL_TRACES_EXPORTER: optionalText.pipe(z.enum(['otlp', 'console', 'none'], 'OTEL_TRACES_EXPORTER must be otlp, console or none').optional()),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://jaeger:4318' }).optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://jaeger:4318/v1/traces' }).optional()),
  OTEL_EXPORTER_OTLP_PROTOCOL: optionalText.pipe(z.literal('http/protobuf', 'OTEL_EXPORTER_OTLP_PROTOCOL: only http/protobuf is supported (Jaeger and Tempo take it on port 4318)').optional()),
  OTEL_SERVICE_NAME: optionalText,
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'DATABASE_URL' | 'DOCUMENT_STORAGE_DIR'> {
  /** Set when the operator chose a database; unset means "the local default, started if needed". */
  DATABASE_URL: string | undefined;
  DOCUMENT_STORAGE_DIR: string;
  /** Largest request body the intake accepts: three documents in base64 plus the text fields. */
  INTAKE_BODY_LIMIT_BYTES: number;
  /** Largest body the WPPConnect webhook reads: WPPCONNECT_WEBHOOK_BODY_MB, else derived from BRIDGE_MEDIA_MAX_MB. */
  WPPCONNECT_WEBHOOK_BODY_MB: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const raw = parsed.data;
  if (raw.WPPCONNECT_URL !== undefined && raw.WPPCONNECT_TOKEN === undefined && raw.WPPCONNECT_SECRET_KEY === undefined) {
    throw new ConfigError(['WPPCONNECT_URL is set, so WPPCONNECT_TOKEN or WPPCONNECT_SECRET_KEY is required']);
  }
  const chatwootKeys = ['CHATWOOT_URL', 'CHATWOOT_ACCOUNT_ID', 'CHATWOOT_INBOX_ID', 'CHATWOOT_API_TOKEN'] as const;
  const missing = chatwootKeys.filter((key) => raw[key] === undefined);
  if (missing.length > 0 && missing.length < chatwootKeys.length) {
    // Otherwise the bridge would silently not run.
    throw new ConfigError([`The bridge needs all of ${chatwootKeys.join(', ')}; missing: ${missing.join(', ')}`]);
  }
  const problems: string[] = [];
  if (raw.MASTER_KEYS !== undefined) problems.push(...masterKeysProblems(raw.MASTER_KEYS));
  else if (raw.NODE_ENV === 'production') {
    problems.push('MASTER_KEYS is required in production: stored documents and media are encrypted with it (npm run keys:new -- <id>)');
  }
  if (raw.CONSOLE_SESSION_SECRET.some((secret) => secret.length < 32)) problems.push('CONSOLE_SESSION_SECRET: each secret needs at least 32 characters');
  if (raw.NODE_ENV === 'production' && raw.CONSOLE_SESSION_SECRET.length === 0) {
    problems.push('CONSOLE_SESSION_SECRET is required in production: it signs the reviewer console\'s session cookies (several API instances share it)');
  }
  const oidcKeys = ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const oidcMissing = oidcKeys.filter((key) => raw[key] === undefined);
  if (oidcMissing.length > 0 && oidcMissing.length < oidcKeys.length) problems.push(`Single sign-on needs all of ${oidcKeys.join(', ')}; missing: ${oidcMissing.join(', ')}`);
  if (raw.NODE_ENV === 'production' && raw.METRICS_TOKEN === undefined) problems.push('METRICS_TOKEN is required in production: the API\'s /metrics answers only with it (Prometheus sends it as a bearer token)');
  if (raw.NODE_ENV === 'production' && raw.CONSOLE_COOKIE_SECURE === 'false') problems.push('CONSOLE_COOKIE_SECURE=false is not allowed in production');
  if (raw.NODE_ENV === 'production' && raw.INTAKE_SHARED_SECRET === undefined) {
    problems.push('INTAKE_SHARED_SECRET is required in production: the Typebot flow sends it as X-Intake-Token');
  }
  if (missing.length === 0 && !raw.CHATWOOT_VERIFY_SIGNATURE && raw.CHATWOOT_WEBHOOK_TOKEN === undefined) {
    problems.push('CHATWOOT_VERIFY_SIGNATURE=false needs CHATWOOT_WEBHOOK_TOKEN (Chatwoot then posts to /webhooks/chatwoot/<token>)');
  }
  if (missing.length === 0 && raw.CHATWOOT_VERIFY_SIGNATURE && raw.CHATWOOT_WEBHOOK_SECRET === undefined) {
    problems.push('The bridge needs CHATWOOT_WEBHOOK_SECRET to verify Chatwoot\'s signatures (or CHATWOOT_VERIFY_SIGNATURE=false with CHATWOOT_WEBHOOK_TOKEN)');
  }
  for (const s3 of ['BACKUP_S3', 'DOCUMENT_S3'] as const) {
    if ((raw[`${s3}_ACCESS_KEY_ID`] === undefined) !== (raw[`${s3}_SECRET_ACCESS_KEY`] === undefined)) {
      problems.push(`${s3}_ACCESS_KEY_ID and ${s3}_SECRET_ACCESS_KEY go together (or leave both unset for the AWS SDK's own credentials)`);
    }
  }
  if (raw.DOCUMENT_STORAGE === 's3' && raw.DOCUMENT_S3_BUCKET === undefined) problems.push('DOCUMENT_STORAGE=s3 needs DOCUMENT_S3_BUCKET');
  if (problems.length > 0) throw new ConfigError(problems);
  const base64Bytes = Math.ceil(raw.DOCUMENT_MAX_MB / 3) * 4;
  // With autoDownload WPPConnect posts whole files as base64: room for three times the relay limit
  // (an oversized file still arrives and becomes a note for the agent) plus 1 MiB of envelope.
  const webhookBytes = raw.WPPCONNECT_WEBHOOK_BODY_MB ?? Math.ceil((3 * raw.BRIDGE_MEDIA_MAX_MB) / 3) * 4 + 1024 * 1024;
  return {
    ...raw,
    WPPCONNECT_WEBHOOK_BODY_MB: webhookBytes,
    DATABASE_URL: raw.DATABASE_URL,
    DOCUMENT_STORAGE_DIR: raw.DOCUMENT_STORAGE_DIR ?? `${raw.DATA_DIR}/documents`,
    INTAKE_BODY_LIMIT_BYTES: 3 * base64Bytes + 1_000_000,
  };
}
