import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ConfigError, configSchema, loadConfig } from '../../platform/config.ts';
import { newMasterKey } from '../../platform/crypto/keyring.ts';

describe('configuration', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 8000);
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.REVIEWER_REMINDER_AFTER, 48 * 3_600_000);
    assert.equal(config.REVIEWER_REMINDER_EVERY, 24 * 3_600_000);
    assert.equal(config.DOCUMENT_MAX_MB, 10 * 1024 * 1024);
    assert.equal(config.DOCUMENT_STORAGE_DIR, 'data/documents');
    assert.ok(config.INTAKE_BODY_LIMIT_BYTES > 3 * config.DOCUMENT_MAX_MB * (4 / 3), 'three base64 documents fit in a body');
  });

  it('parses reviewer tokens, durations and host lists', () => {
    const config = loadConfig({
      REVIEWER_TOKENS: 'ana:aaaaaaaaaaaaaaaaaaaa, rui:bbbbbbbbbbbbbbbbbbbb',
      REVIEWER_REMINDER_AFTER: '2 days',
      DOCUMENT_URL_ALLOWED_HOSTS: 'files.example.pt, .cdn.example.pt',
    });
    assert.deepEqual([...config.REVIEWER_TOKENS], [['aaaaaaaaaaaaaaaaaaaa', 'ana'], ['bbbbbbbbbbbbbbbbbbbb', 'rui']]);
    assert.equal(config.REVIEWER_REMINDER_AFTER, 48 * 3_600_000);
    assert.deepEqual(config.DOCUMENT_URL_ALLOWED_HOSTS, ['files.example.pt', '.cdn.example.pt']);
  });

  it('starts the bot on its default words unless told others; empty (as compose passes it) means the default', () => {
    const defaults = ['cadastro', 'registo', 'registar', 'inscrição', 'quero ser motorista'];
    assert.deepEqual(loadConfig({}).TYPEBOT_TRIGGER_KEYWORDS, defaults);
    assert.deepEqual(loadConfig({ TYPEBOT_TRIGGER_KEYWORDS: '' }).TYPEBOT_TRIGGER_KEYWORDS, defaults);
    assert.deepEqual(loadConfig({ TYPEBOT_TRIGGER_KEYWORDS: 'motorista, quero trabalhar' }).TYPEBOT_TRIGGER_KEYWORDS, ['motorista', 'quero trabalhar']);
    const bot = loadConfig({ TYPEBOT_URL: '', TYPEBOT_REMINDER_AFTER: '10m', TYPEBOT_SESSION_TTL: '7d' });
    assert.equal(bot.TYPEBOT_URL, undefined, 'an empty URL is no bot');
    assert.equal(bot.TYPEBOT_REMINDER_AFTER, 600_000);
    assert.equal(bot.TYPEBOT_SESSION_TTL, 7 * 24 * 3_600_000);
  });

  it('fails at start-up with one clear line per problem', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', REVIEWER_TOKENS: 'ana:short', REVIEWER_REMINDER_AFTER: 'soon', DATABASE_URL: 'not a url' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems.map((problem) => problem.split(':')[0]).sort(), ['DATABASE_URL', 'PORT', 'REVIEWER_REMINDER_AFTER', 'REVIEWER_TOKENS']);
        assert.match(error.message, /"soon" is not a duration/);
        return true;
      },
    );
  });

  it('requires a WPPConnect token or secret key when a WPPConnect URL is set', () => {
    assert.throws(() => loadConfig({ WPPCONNECT_URL: 'http://wpp:21465' }), /WPPCONNECT_TOKEN or WPPCONNECT_SECRET_KEY/);
    assert.equal(loadConfig({ WPPCONNECT_URL: 'http://wpp:21465', WPPCONNECT_SECRET_KEY: 'from-the-environment' }).WPPCONNECT_URL, 'http://wpp:21465');
  });

  it('runs the bridge only with the whole Chatwoot connection; empty values count as unset', () => {
    const chatwoot = {
      CHATWOOT_URL: 'https://chat.example.pt', CHATWOOT_ACCOUNT_ID: '3', CHATWOOT_INBOX_ID: '7', CHATWOOT_API_TOKEN: 'from-the-environment', CHATWOOT_WEBHOOK_SECRET: 'from-the-environment',
    };
    assert.equal(loadConfig(chatwoot).CHATWOOT_INBOX_ID, 7);
    assert.throws(() => loadConfig({ ...chatwoot, CHATWOOT_INBOX_ID: '' }), /missing: CHATWOOT_INBOX_ID/);
    // As compose passes unset variables: `${CHATWOOT_ACCOUNT_ID:-}`.
    const none = loadConfig({ CHATWOOT_URL: '', CHATWOOT_ACCOUNT_ID: '', CHATWOOT_INBOX_ID: '', CHATWOOT_API_TOKEN: '' });
    assert.equal(none.CHATWOOT_ACCOUNT_ID, undefined);
    assert.throws(() => loadConfig({ ...chatwoot, CHATWOOT_ACCOUNT_ID: 'three' }), /CHATWOOT_ACCOUNT_ID/);
  });

  it('requires the intake secret, the master keys and the console\'s session secret in production, and nowhere else', () => {
    const masterKeys = newMasterKey('k1');
    const CONSOLE_SESSION_SECRET = 'a-console-session-secret-of-32-characters';
    const METRICS_TOKEN = 'a-metrics-token-1234';
    assert.throws(() => loadConfig({ NODE_ENV: 'production', MASTER_KEYS: masterKeys, CONSOLE_SESSION_SECRET, METRICS_TOKEN }), (error: unknown) => error instanceof ConfigError && /INTAKE_SHARED_SECRET is required in production/.test(error.message));
    assert.throws(() => loadConfig({ NODE_ENV: 'production', INTAKE_SHARED_SECRET: 'x', CONSOLE_SESSION_SECRET, METRICS_TOKEN }), (error: unknown) => error instanceof ConfigError && /MASTER_KEYS is required in production/.test(error.message));
    assert.throws(() => loadConfig({ NODE_ENV: 'production', INTAKE_SHARED_SECRET: 'x', MASTER_KEYS: masterKeys, METRICS_TOKEN }), (error: unknown) => error instanceof ConfigError && /CONSOLE_SESSION_SECRET is required in production/.test(error.message));
    assert.throws(() => loadConfig({ NODE_ENV: 'production', INTAKE_SHARED_SECRET: 'x', MASTER_KEYS: masterKeys, CONSOLE_SESSION_SECRET }), (error: unknown) => error instanceof ConfigError && /METRICS_TOKEN is required in production/.test(error.message));
    assert.throws(() => loadConfig({ CONSOLE_SESSION_SECRET: 'short' }), (error: unknown) => error instanceof ConfigError && /at least 32 characters/.test(error.message));
    assert.throws(() => loadConfig({ OIDC_ISSUER_URL: 'https://login.example.pt' }), (error: unknown) => error instanceof ConfigError && /missing: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET/.test(error.message));
    assert.throws(() => loadConfig({ MASTER_KEYS: 'k1:c2hvcnQ=' }), (error: unknown) => error instanceof ConfigError && /32 bytes in base64/.test(error.message) && !error.message.includes('c2hvcnQ='));
    assert.equal(loadConfig({ NODE_ENV: 'production', INTAKE_SHARED_SECRET: 'from-the-environment', MASTER_KEYS: masterKeys, CONSOLE_SESSION_SECRET, METRICS_TOKEN }).INTAKE_SHARED_SECRET, 'from-the-environment');
    assert.equal(loadConfig({ NODE_ENV: 'development' }).INTAKE_SHARED_SECRET, undefined);
  });

  it('gives the bridge an authenticated Chatwoot webhook: a signature secret, or a URL token when signatures are off', () => {
    const chatwoot = { CHATWOOT_URL: 'https://chat.example.pt', CHATWOOT_ACCOUNT_ID: '3', CHATWOOT_INBOX_ID: '7', CHATWOOT_API_TOKEN: 'from-the-environment' };
    assert.throws(() => loadConfig(chatwoot), /CHATWOOT_WEBHOOK_SECRET/);
    assert.throws(() => loadConfig({ ...chatwoot, CHATWOOT_VERIFY_SIGNATURE: 'false' }), /CHATWOOT_VERIFY_SIGNATURE=false needs CHATWOOT_WEBHOOK_TOKEN/);
    assert.equal(loadConfig({ ...chatwoot, CHATWOOT_VERIFY_SIGNATURE: 'false', CHATWOOT_WEBHOOK_TOKEN: 'a-token' }).CHATWOOT_WEBHOOK_TOKEN, 'a-token');
    assert.equal(loadConfig({ ...chatwoot, CHATWOOT_WEBHOOK_SECRET: 'a-secret' }).CHATWOOT_VERIFY_SIGNATURE, true);
  });

  it("serves the Temporal SDK's metrics only when given a host:port", () => {
    assert.equal(loadConfig({}).TEMPORAL_SDK_METRICS_ADDRESS, undefined);
    assert.equal(loadConfig({ TEMPORAL_SDK_METRICS_ADDRESS: '' }).TEMPORAL_SDK_METRICS_ADDRESS, undefined);
    assert.equal(loadConfig({ TEMPORAL_SDK_METRICS_ADDRESS: '0.0.0.0:9465' }).TEMPORAL_SDK_METRICS_ADDRESS, '0.0.0.0:9465');
    assert.throws(() => loadConfig({ TEMPORAL_SDK_METRICS_ADDRESS: '9465' }), /TEMPORAL_SDK_METRICS_ADDRESS is host:port/);
  });

  it('takes TRUST_PROXY as false, true, a hop count or a list of addresses and CIDR ranges', () => {
    assert.equal(loadConfig({}).TRUST_PROXY, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).TRUST_PROXY, ['10.0.0.0/8', '127.0.0.1', '::1']);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'yes please' }), /TRUST_PROXY/);
  });

  it("sizes the WPPConnect webhook's body from the relay limit unless told, and the edge's limits have defaults", () => {
    const config = loadConfig({});
    assert.equal(config.WPPCONNECT_WEBHOOK_BODY_MB, 65 * 1024 * 1024, 'base64 of 3 x 16 MiB plus 1 MiB');
    assert.equal(loadConfig({ BRIDGE_MEDIA_MAX_MB: '4' }).WPPCONNECT_WEBHOOK_BODY_MB, 17 * 1024 * 1024);
    assert.equal(loadConfig({ WPPCONNECT_WEBHOOK_BODY_MB: '20' }).WPPCONNECT_WEBHOOK_BODY_MB, 20 * 1024 * 1024);
    assert.deepEqual(
      [config.CHATWOOT_WEBHOOK_BODY_MB, config.RATE_LIMIT_PER_ADDRESS, config.RATE_LIMIT_WINDOW, config.RATE_LIMIT_INTAKE_PER_NIF, config.RATE_LIMIT_INTAKE_PER_PHONE, config.RATE_LIMIT_INTAKE_WINDOW, config.INTAKE_MAX_IN_FLIGHT],
      [1024 * 1024, 60, 60_000, 5, 5, 3_600_000, 8],
    );
    assert.deepEqual([config.API_REQUEST_TIMEOUT, config.TEMPORAL_HANDOFF_DEADLINE, config.DATABASE_STATEMENT_TIMEOUT], [60_000, 2_000, 30_000]);
    assert.throws(() => loadConfig({ RATE_LIMIT_PER_ADDRESS: '0' }), /RATE_LIMIT_PER_ADDRESS/);
  });

  it('backs up daily into DATA_DIR/backups unless told, and takes S3 keys only in pairs', () => {
    const config = loadConfig({});
    assert.deepEqual([config.BACKUP_SCHEDULE, config.BACKUP_EVERY, config.BACKUP_KEEP, config.BACKUP_DIR, config.BACKUP_S3_BUCKET, config.BACKUP_S3_PREFIX], [true, 86_400_000, 7, undefined, undefined, 'backups/']);
    assert.throws(() => loadConfig({ BACKUP_S3_BUCKET: 'b', BACKUP_S3_ACCESS_KEY_ID: 'AKIA0000' }), /BACKUP_S3_ACCESS_KEY_ID and BACKUP_S3_SECRET_ACCESS_KEY go together/);
    assert.throws(() => loadConfig({ BACKUP_KEEP: '0' }), /BACKUP_KEEP/);
    assert.throws(() => loadConfig({ BACKUP_S3_ENDPOINT: 'not a url' }), /BACKUP_S3_ENDPOINT/);
    const s3 = loadConfig({ BACKUP_S3_BUCKET: 'b', BACKUP_S3_ACCESS_KEY_ID: 'AKIA0000', BACKUP_S3_SECRET_ACCESS_KEY: 'secret', BACKUP_S3_ENDPOINT: 'http://127.0.0.1:7070' });
    assert.deepEqual([s3.BACKUP_S3_BUCKET, s3.BACKUP_S3_ENDPOINT], ['b', 'http://127.0.0.1:7070']);
  });

  it('keeps documents on disk unless told, and on S3 needs a bucket and keys in pairs', () => {
    const config = loadConfig({});
    assert.deepEqual([config.DOCUMENT_STORAGE, config.DOCUMENT_S3_BUCKET, config.DOCUMENT_S3_PREFIX, config.DOCUMENT_S3_REGION, config.DOCUMENT_S3_FORCE_PATH_STYLE], ['file', undefined, 'documents/', 'us-east-1', undefined]);
    assert.throws(() => loadConfig({ DOCUMENT_STORAGE: 's3' }), /DOCUMENT_STORAGE=s3 needs DOCUMENT_S3_BUCKET/);
    assert.throws(() => loadConfig({ DOCUMENT_STORAGE: 'disk' }), /DOCUMENT_STORAGE/);
    assert.throws(() => loadConfig({ DOCUMENT_STORAGE: 's3', DOCUMENT_S3_BUCKET: 'b', DOCUMENT_S3_SECRET_ACCESS_KEY: 'secret' }), /DOCUMENT_S3_ACCESS_KEY_ID and DOCUMENT_S3_SECRET_ACCESS_KEY go together/);
    assert.throws(() => loadConfig({ DOCUMENT_S3_ENDPOINT: 'not a url' }), /DOCUMENT_S3_ENDPOINT/);
    assert.throws(() => loadConfig({ DOCUMENT_S3_FORCE_PATH_STYLE: 'yes' }), /DOCUMENT_S3_FORCE_PATH_STYLE/);
    const s3 = loadConfig({
      DOCUMENT_STORAGE: 's3', DOCUMENT_S3_BUCKET: 'docs', DOCUMENT_S3_ACCESS_KEY_ID: 'AKIA0000', DOCUMENT_S3_SECRET_ACCESS_KEY: 'secret',
      DOCUMENT_S3_ENDPOINT: 'http://127.0.0.1:7070', DOCUMENT_S3_FORCE_PATH_STYLE: 'false',
    });
    assert.deepEqual([s3.DOCUMENT_STORAGE, s3.DOCUMENT_S3_BUCKET, s3.DOCUMENT_S3_ENDPOINT, s3.DOCUMENT_S3_FORCE_PATH_STYLE], ['s3', 'docs', 'http://127.0.0.1:7070', false]);
  });

  it('documents every key in .env.example', async () => {
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    const missing = Object.keys(configSchema.shape).filter((key) => !documented.has(key));
    assert.deepEqual(missing, []);
  });
});
