/**
 * The alert rules (ops/prometheus) on a real Prometheus scraping a running system (issue 15): the
 * project's config and rules, its scrape target swapped for this system's API, and the WhatsApp
 * session driven through the WPPConnect simulator. WhatsAppDisconnected goes pending when the session
 * needs a QR scan, fires once its `for:` has passed, and resolves after the scan. Prints one JSON line
 * with the timings, in ms since the disconnect.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { sessionHealthScheduleId } from '../../domain/whatsapp-session.ts';
import { migrate } from '../../platform/migrate.ts';
import { ownDatabase } from '../support/own-database.ts';
import { projectConfig, projectRules, prometheusTools, startPrometheus, type PrometheusAlert, type RunningPrometheus } from '../support/prometheus.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

const alertName = 'WhatsAppDisconnected';
const metricsToken = `metrics-${randomUUID()}`;
/** The rule's production `for:` is 1m (ops/prometheus/rules/bridge.yml); the copy Prometheus loads here waits this instead. */
const shortenedFor = '5s';
const interval = '1s';

interface RulesFile { groups: Array<{ rules: Array<{ alert?: string; for?: string }> }> }

/** The project's rules, WhatsAppDisconnected's `for:` shortened in the copy (the files in ops/ stay as they are). */
async function rulesForTheTest(): Promise<Map<string, string>> {
  const rules = await projectRules();
  let shortened = 0;
  for (const [name, text] of rules) {
    const file = parse(text) as RulesFile;
    for (const rule of file.groups.flatMap((group) => group.rules)) {
      if (rule.alert !== alertName) continue;
      assert.equal(rule.for, '1m', 'the production rule waits 1 minute');
      rule.for = shortenedFor;
      shortened += 1;
    }
    rules.set(name, stringify(file));
  }
  assert.equal(shortened, 1, `one ${alertName} rule in ops/prometheus/rules`);
  return rules;
}

/** The project's config with 1 s scrapes and evaluations, scraping this system's API alone (the worker runs inside it here). */
async function configForTheTest(apiUrl: string) {
  const project = await projectConfig();
  const api = project.scrape_configs.find((job) => job.job_name === 'leguas-api');
  assert.ok(api !== undefined, 'prometheus.yml scrapes the API as job leguas-api');
  return {
    ...project,
    global: { ...project.global, scrape_interval: interval, evaluation_interval: interval },
    // The token as the system under test has it, instead of the file production mounts.
    scrape_configs: [{ ...api, authorization: { type: 'Bearer', credentials: metricsToken }, static_configs: [{ targets: [new URL(apiUrl).host] }] }],
  };
}

/** On a database of its own: the session's health is one row per deployment, which other tests' systems would share. */
describe('Prometheus alerts on a running system', () => {
  it('raises WhatsAppDisconnected when the session needs a QR scan (pending, then firing), and resolves it after the scan', async (t) => {
    const tools = prometheusTools(t);
    if (tools === undefined) return;
    const cleanups: Array<() => Promise<void>> = [];
    try {
      const database = ownDatabase('leguas_prometheus_alerts');
      await database.create();
      cleanups.push(() => database.drop());
      await migrate(database.url);
      const sut: TestSystem = await startTestSystem(
        { WHATSAPP_HEALTH_SCHEDULE: 'true', WHATSAPP_HEALTH_EVERY: '2s', BRIDGE_POLLING: 'false', METRICS_TOKEN: metricsToken },
        { bridge: true, databaseUrl: database.url },
      );
      cleanups.push(() => sut.stop());
      cleanups.push(() => sut.system.temporal.schedule.getHandle(sessionHealthScheduleId(sut.config.BRIDGE_TASK_QUEUE)).delete().catch(() => undefined));
      const prometheus: RunningPrometheus = await startPrometheus(tools, await configForTheTest(sut.system.apiUrl!), await rulesForTheTest());
      cleanups.push(() => prometheus.stop());

      const ours = async (): Promise<PrometheusAlert | undefined> => (await prometheus.alerts()).find((alert) => alert.labels.alertname === alertName);
      const gaugeAt = async (): Promise<string | undefined> => (await prometheus.query('whatsapp_session_state == 1'))[0]?.metric.state;

      // Connected, scraped, and no alert left from before the first health check (no gauge yet counts as down).
      await eventually(async () => ((await gaugeAt()) === 'CONNECTED' && (await ours()) === undefined ? true : undefined), 60_000, 'Prometheus seeing CONNECTED and no WhatsAppDisconnected');

      const disconnectedAt = Date.now();
      const since = () => Date.now() - disconnectedAt;
      await sut.wpp.requireQr();
      let pendingMs: number | undefined;
      const firing = await eventually(async () => {
        const alert = await ours();
        if (alert?.state === 'pending') pendingMs ??= since();
        return alert?.state === 'firing' ? { alert, at: Date.now() } : undefined;
      }, 60_000, `${alertName} firing`);
      const firingMs = firing.at - disconnectedAt;
      assert.ok(pendingMs !== undefined, `${alertName} was pending before it fired`);
      assert.ok(firing.at - Date.parse(firing.alert.activeAt) >= 5_000, `fired only once active for ${shortenedFor} (active at ${firing.alert.activeAt})`);
      assert.equal(await gaugeAt(), 'QRCODE');
      assert.match(firing.alert.annotations.description ?? '', /está em QRCODE: leia o código QR/, 'the description names the state, in pt-PT');
      assert.equal(firing.alert.annotations.summary, 'O WhatsApp da empresa está desligado há mais de 1 minuto');

      const scannedMs = since();
      await sut.wpp.scanQr();
      await eventually(async () => ((await ours()) === undefined ? true : undefined), 60_000, `${alertName} resolved`);
      const resolvedMs = since();
      assert.equal(await gaugeAt(), 'CONNECTED');

      console.log(JSON.stringify({ alert: alertName, for: shortenedFor, scrapeInterval: interval, evaluationInterval: interval, healthEvery: '2s', pendingMs, firingMs, scannedMs, resolvedMs }));
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });
});
