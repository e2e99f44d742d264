import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../platform/config.ts';
import { newMasterKey } from '../../platform/crypto/keyring.ts';
import { tracingSettings } from '../../platform/tracing/settings.ts';
import { temporalServerVersion } from '../../scripts/lib/temporal-server.ts';
import { composeConfig } from '../support/docker-compose.ts';

// docker-compose.yml cannot run here (no Docker engine): hold it to the configuration instead.
const compose = parse(await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, {
    image?: string; build?: unknown; environment?: Record<string, string>; volumes?: string[]; command?: string[]; profiles?: string[]; restart?: string;
    healthcheck?: unknown; depends_on?: Record<string, { condition: string }> | string[];
  }>;
};

/** What an operator's .env would hold for the required variables (`${NAME:?message}`). */
const operatorEnv: Record<string, string> = {
  POSTGRES_PASSWORD: 'from-the-environment',
  WPPCONNECT_SECRET_KEY: 'from-the-environment',
  WPPCONNECT_WEBHOOK_TOKEN: 'from-the-environment',
  REVIEWER_TOKENS: 'ana:from-the-environment',
  INTAKE_SHARED_SECRET: 'from-the-environment',
  CONSOLE_SESSION_SECRET: 'from-the-environment-at-least-32-characters',
  METRICS_TOKEN: 'from-the-environment-16+',
  MASTER_KEYS: newMasterKey('compose-test'),
  GRAFANA_ADMIN_PASSWORD: 'from-the-environment',
};

/** Compose's interpolation of `${NAME:?message}` (required) and `${NAME:-default}`, from `env`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    const given = env[name];
    if (given !== undefined && given !== '') return given;
    if (kind === '?') throw new Error(`compose needs ${name}: ${rest}`);
    return kind === '-' ? (rest ?? '') : '';
  });
}

const environmentOf = (service: string, env: Record<string, string>) =>
  Object.fromEntries(Object.entries(compose.services[service]?.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), env)]));

// Read by Node or glibc, not by the configuration.
const runtimeVariables = new Set(['MALLOC_ARENA_MAX', 'UV_THREADPOOL_SIZE']);

describe('docker-compose.yml', () => {
  for (const service of ['api', 'worker']) {
    it(`gives the ${service} a configuration that loads, with only known keys`, () => {
      const env = environmentOf(service, operatorEnv);
      const unknown = Object.keys(env).filter((key) => !(key in configSchema.shape) && !runtimeVariables.has(key));
      assert.deepEqual(unknown, []);
      const config = loadConfig(env);
      assert.equal(config.WPPCONNECT_URL, 'http://wppconnect:21465');
      assert.equal(config.CHATWOOT_URL, undefined, 'the bridge is off until Chatwoot is configured');
    });
  }

  it('runs the bridge once the operator sets the Chatwoot keys', () => {
    const chatwoot = {
      CHATWOOT_URL: 'https://chat.example.pt', CHATWOOT_ACCOUNT_ID: '3', CHATWOOT_INBOX_ID: '7', CHATWOOT_API_TOKEN: 'from-the-environment',
      CHATWOOT_WEBHOOK_SECRET: 'from-the-environment',
    };
    const config = loadConfig(environmentOf('worker', { ...operatorEnv, ...chatwoot }));
    assert.equal(config.CHATWOOT_INBOX_ID, 7);
    const { CHATWOOT_WEBHOOK_SECRET: _, ...unsigned } = chatwoot;
    assert.throws(() => loadConfig(environmentOf('api', { ...operatorEnv, ...unsigned })), /CHATWOOT_WEBHOOK_SECRET/);
    const withToken = loadConfig(environmentOf('api', { ...operatorEnv, ...unsigned, CHATWOOT_VERIFY_SIGNATURE: 'false', CHATWOOT_WEBHOOK_TOKEN: 'from-the-environment' }));
    assert.equal(withToken.CHATWOOT_WEBHOOK_TOKEN, 'from-the-environment');
  });

  it('refuses to start the API in production without the intake secret', () => {
    const { INTAKE_SHARED_SECRET: _, ...withoutSecret } = operatorEnv;
    assert.throws(() => environmentOf('api', withoutSecret), /compose needs INTAKE_SHARED_SECRET/);
  });

  it('gives the bot\'s settings to the bridge worker only, their one source', () => {
    const typebot = { TYPEBOT_URL: 'https://bot.example.pt', TYPEBOT_TRIGGER_KEYWORDS: 'cadastro,inscrição' };
    assert.deepEqual(Object.keys(environmentOf('api', { ...operatorEnv, ...typebot })).filter((key) => key.startsWith('TYPEBOT_')), []);
    const config = loadConfig(environmentOf('worker', { ...operatorEnv, ...typebot }));
    assert.equal(config.TYPEBOT_URL, 'https://bot.example.pt');
    assert.deepEqual(config.TYPEBOT_TRIGGER_KEYWORDS, ['cadastro', 'inscrição']);
  });

  it('points WPPConnect at the API webhook with the token, and refuses to start without it', () => {
    assert.equal(environmentOf('wppconnect', operatorEnv).WEBHOOK_URL, 'http://api:8000/webhooks/wppconnect/from-the-environment');
    const { WPPCONNECT_WEBHOOK_TOKEN: _, ...withoutToken } = operatorEnv;
    assert.throws(() => environmentOf('wppconnect', withoutToken), /compose needs WPPCONNECT_WEBHOOK_TOKEN/);
  });

  it('asks only for variables .env.example documents', async () => {
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    const raw = await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    const asked = new Set([...raw.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!));
    assert.deepEqual([...asked].filter((name) => !documented.has(name)), []);
  });

  it('runs Prometheus, Alertmanager, Grafana and node exporter pinned, on the files in ops/', async () => {
    for (const service of ['prometheus', 'alertmanager', 'grafana', 'node-exporter']) {
      const image = compose.services[service]?.image ?? '';
      assert.match(image, /:v?\d+\.\d+\.\d+$/, `${service} is pinned to a release (${image})`);
    }
    for (const service of ['prometheus', 'alertmanager', 'grafana']) {
      for (const volume of compose.services[service]!.volumes!.filter((entry) => entry.startsWith('./'))) {
        await access(new URL(`../../${volume.split(':')[0]!.slice(2)}`, import.meta.url));
      }
    }
    assert.throws(() => environmentOf('grafana', {}), /compose needs GRAFANA_ADMIN_PASSWORD/);
  });

  it('is a valid compose file for docker-compose itself, with and without the Chatwoot and Typebot profiles', async (t) => {
    const services = await composeConfig(t, operatorEnv, ['config', '--services']);
    if (services === undefined) return;
    // Compose read every service this test reads (docker-compose 1.x lists profiled ones too).
    assert.deepEqual(services.trim().split('\n').sort(), Object.keys(compose.services).sort());
    assert.equal(await composeConfig(t, operatorEnv, ['--profile', 'chatwoot', '--profile', 'typebot', 'config', '-q']), '');
    // A required secret unset: compose itself refuses, naming it.
    const { POSTGRES_PASSWORD: _unset, ...withoutPassword } = operatorEnv;
    await assert.rejects(composeConfig(t, withoutPassword, ['config', '-q']), /set POSTGRES_PASSWORD/);
  });

  it('pins every image to a release, restarts every long-running service, and checks the health of the API, the worker and WPPConnect', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image !== undefined && service.build === undefined) assert.match(service.image, /:v?\d+\.\d+(\.\d+)?[\w.-]*$/, `${name}: ${service.image} is pinned`);
      const oneShot = service.restart === 'no';
      if (!oneShot) assert.equal(service.restart, 'unless-stopped', `${name} restarts`);
    }
    assert.match(String(compose.services.wppconnect?.build), /wppconnect-server\.git#v2\.10\.4$/);
    for (const name of ['api', 'worker', 'wppconnect', 'postgres']) assert.ok(compose.services[name]?.healthcheck !== undefined, `${name} has a health check`);
    for (const name of ['api', 'worker']) assert.deepEqual(compose.services[name]!.command?.slice(0, 1), ['node'], `${name} runs compiled JavaScript`);
  });

  it('runs the Temporal server the tests build, on schemas applied by the admin tools (no auto-setup image)', () => {
    const version = temporalServerVersion.replace(/^v/, '');
    assert.equal(compose.services.temporal?.image, `temporalio/server:${version}`);
    assert.equal(compose.services['temporal-schema']?.image, `temporalio/admin-tools:${version}`);
    assert.ok(Object.values(compose.services).every((service) => !service.image?.includes('auto-setup')));
    assert.deepEqual(compose.services.temporal?.depends_on, { 'temporal-schema': { condition: 'service_completed_successfully' } });
    const schema = compose.services['temporal-schema'];
    const script = schema.command!.join(' ');
    // Both databases, each set up (a no-op once past 0.0) and then brought to the image's schema version.
    assert.match(script, /temporal:temporal temporal_visibility:visibility/);
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d "/etc/temporal/schema/postgresql/v12/$$schema/versioned"']) assert.ok(script.includes(step), step);
    // The server reads the databases the schema step prepared, with the same credentials.
    const server = environmentOf('temporal', operatorEnv);
    const tool = environmentOf('temporal-schema', operatorEnv);
    assert.deepEqual([server.DBNAME, server.VISIBILITY_DBNAME], ['temporal', 'temporal_visibility']);
    assert.deepEqual([tool.SQL_HOST, tool.SQL_USER, tool.SQL_PASSWORD], [server.POSTGRES_SEEDS, server.POSTGRES_USER, server.POSTGRES_PWD]);
    for (const service of ['api', 'worker']) {
      assert.deepEqual((compose.services[service]!.depends_on as Record<string, { condition: string }>)['temporal-namespace'], { condition: 'service_completed_successfully' });
    }
  });

  it("points every Prometheus scrape target and Alertmanager at a compose service's port", async () => {
    const prometheus = parse(await readFile(new URL('../../ops/prometheus/prometheus.yml', import.meta.url), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    };
    const worker = loadConfig(environmentOf('worker', operatorEnv));
    const api = loadConfig(environmentOf('api', operatorEnv));
    // Where each service listens inside the compose network, from its own configuration.
    const listening: Record<string, string[]> = {
      api: [String(api.PORT)],
      worker: [String(worker.WORKER_METRICS_PORT), worker.TEMPORAL_SDK_METRICS_ADDRESS!.split(':')[1]!],
      wppconnect: ['21465'],
      temporal: [environmentOf('temporal', operatorEnv).PROMETHEUS_ENDPOINT!.split(':')[1]!],
      'node-exporter': ['9100'],
      alertmanager: ['9093'],
    };
    const targets = [
      ...prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets)),
      ...prometheus.alerting.alertmanagers.flatMap((manager) => manager.static_configs.flatMap((config) => config.targets)),
    ];
    assert.ok(targets.length >= 7);
    for (const target of targets) {
      const [host, port] = target.split(':');
      assert.ok(compose.services[host!] !== undefined, `${target}: no compose service ${host}`);
      assert.ok(listening[host!]?.includes(port!), `${target}: ${host} does not listen on ${port}`);
    }
  });

  it("sends the API's and the worker's traces to a pinned Jaeger by OTLP, each under its own name, until told none", () => {
    const image = compose.services.jaeger?.image ?? '';
    assert.match(image, /jaeger:\d+\.\d+\.\d+$/, `jaeger is pinned to a release (${image})`);
    for (const [service, name] of [['api', 'leguas-api'], ['worker', 'leguas-worker']] as const) {
      const tracing = tracingSettings(loadConfig(environmentOf(service, operatorEnv)), name);
      assert.deepEqual(tracing, { serviceName: name, exporter: 'otlp', url: 'http://jaeger:4318/v1/traces' });
      assert.equal(tracingSettings(loadConfig(environmentOf(service, { ...operatorEnv, OTEL_TRACES_EXPORTER: 'none' })), name), undefined);
    }
  });
});
