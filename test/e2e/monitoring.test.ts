/**
 * The monitoring (issue 15) on a real Prometheus scraping a running system: the project's config and
 * rules, its scrape targets swapped for this system's API, its Temporal SDK metrics and a node exporter
 * on this machine. After traffic (a registration with documents, approved; a chat with a reply, a
 * message Chatwoot refuses, a refused webhook), every Grafana panel's query (ops/grafana/dashboards)
 * returns data; then WhatsAppDisconnected goes pending when the session needs a QR scan, fires once
 * its `for:` has passed, and resolves after the scan. Prints one JSON line per part: what each panel
 * returned, and the alert's timings in ms since the disconnect.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { sessionHealthScheduleId } from '../../domain/whatsapp-session.ts';
import { migrate } from '../../platform/migrate.ts';
import { chatAtRest, chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { dashboardQueries } from '../support/grafana.ts';
import { ownDatabase } from '../support/own-database.ts';
import {
  foundPrometheusTools, projectConfig, projectRules, prometheusTools, startNodeExporter, startPrometheus, type PrometheusAlert, type PrometheusTools, type RunningPrometheus,
} from '../support/prometheus.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, temporalSdkMetricsUrl, type TestSystem } from '../support/test-system.ts';

const alertName = 'WhatsAppDisconnected';
const metricsToken = `metrics-${randomUUID()}`;
/** The rule's production `for:` is 1m (ops/prometheus/rules/bridge.yml); the copy Prometheus loads here waits this instead. */
const shortenedFor = '5s';
const interval = '1s';
/** A sample's own labels (not the metric's name, job or instance), as `name:value,…` for the printed summary. */
const labels = (metric: Record<string, string>) =>
  Object.entries(metric).filter(([name]) => !['__name__', 'job', 'instance'].includes(name)).map(([name, value]) => `${name}:${value}`).join(',');

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

/**
 * The project's config with 1 s scrapes and evaluations: its API job pointed at this system (whose
 * worker runs inside it, so the worker's metrics are the API's here), its temporal-sdk and node
 * jobs at this process's SDK exporter and the node exporter; no Alertmanager.
 */
async function configForTheTest(apiUrl: string, nodeExporterUrl: string) {
  const { alerting: _, ...project } = await projectConfig();
  const job = (name: string) => {
    const found = project.scrape_configs.find((config) => config.job_name === name);
    assert.ok(found !== undefined, `prometheus.yml scrapes job ${name}`);
    return found;
  };
  const at = (url: string) => [{ targets: [new URL(url).host] }];
  return {
    ...project,
    global: { ...project.global, scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      // The token as the system under test has it, instead of the file production mounts.
      { ...job('leguas-api'), authorization: { type: 'Bearer', credentials: metricsToken }, static_configs: at(apiUrl) },
      { ...job('temporal-sdk'), static_configs: at(temporalSdkMetricsUrl) },
      { ...job('node'), static_configs: at(nodeExporterUrl) },
    ],
  };
}

/** On a database of its own: the session's health is one row per deployment, which other tests' systems would share. */
describe('Monitoring on a running system: a real Prometheus with the project\'s config, rules and dashboards', () => {
  let tools: PrometheusTools | undefined;
  let sut: TestSystem;
  let prometheus: RunningPrometheus;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    tools = foundPrometheusTools();
    if (tools === undefined) return;
    const database = ownDatabase('leguas_monitoring');
    await database.create();
    cleanups.push(() => database.drop());
    await migrate(database.url);
    sut = await startTestSystem(
      { WHATSAPP_HEALTH_SCHEDULE: 'true', WHATSAPP_HEALTH_EVERY: '2s', BRIDGE_POLLING: 'false', METRICS_TOKEN: metricsToken },
      { bridge: true, databaseUrl: database.url },
    );
    cleanups.push(() => sut.stop());
    cleanups.push(() => sut.system.temporal.schedule.getHandle(sessionHealthScheduleId(sut.config.BRIDGE_TASK_QUEUE)).delete().catch(() => undefined));
    const nodeExporter = await startNodeExporter(tools);
    cleanups.push(() => nodeExporter.stop());
    prometheus = await startPrometheus(tools, await configForTheTest(sut.system.apiUrl!, nodeExporter.url), await rulesForTheTest());
    cleanups.push(() => prometheus.stop());
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('answers every Grafana panel\'s query with data once the system has had traffic', async (t) => {
    if (prometheusTools(t) === undefined) return;
    // Scraped before the traffic, so rate() and increase() see it happen (and not a series born with it).
    await eventually(async () => (((await prometheus.query('count_over_time(up{job="leguas-api"}[1m])'))[0]?.value ?? 0) >= 2 ? true : undefined), 30_000, 'two scrapes before the traffic');
    // A registration with documents, approved, and its driver told.
    const created = await sut.call('POST', '/drivers/register-typebot/', flatPayload(await sampleDocuments()));
    assert.equal(created.status, 201);
    assert.equal((await sut.asReviewer('POST', `/drivers/${created.body.registration_id as string}/approve`)).status, 200);
    // A chat: the driver writes, an agent answers, a message Chatwoot refuses, the next one goes on.
    const view = chatwootView(sut);
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    await eventually(async () => (view.incoming(phone).length === 1 ? true : undefined), 15_000, 'the message in Chatwoot');
    await sut.chatwoot!.agentReply(view.conversationIdOf(phone), { content: 'Bom dia!' });
    await (await sut.wpp.receive({ from: phone, body: '' })).delivered;
    await sut.wpp.receive({ from: phone, body: 'Obrigado' });
    await eventually(async () => (view.incoming(phone).length === 2 ? true : undefined), 15_000, 'the next message in Chatwoot');
    await chatAtRest(sut, phone);
    // Webhooks with a wrong token, refused at the edge: a second once the first is scraped (a counter's
    // series is born with its first refusal, which rate() cannot see).
    const refuse = async () => assert.equal((await fetch(`${sut.system.apiUrl}/webhooks/wppconnect/not-the-token`, {
      method: 'POST', body: '{}', headers: { 'content-type': 'application/json' },
    })).status, 401);
    await refuse();
    await eventually(async () => ((await prometheus.query('api_requests_refused_total{reason="unauthorized"}')).length > 0 ? true : undefined), 15_000, 'the first refusal scraped');
    await refuse();

    const panels = await dashboardQueries();
    assert.equal(new Set(panels.map((panel) => panel.dashboard)).size, 4, 'four dashboards');
    const answered = new Map<string, string>();
    const largest = new Map<string, number>();
    await eventually(async () => {
      for (const panel of panels) {
        const key = `${panel.dashboard} / ${panel.title} / ${panel.refId}`;
        if (answered.has(key)) continue;
        const samples = (await prometheus.query(panel.expr)).filter((sample) => Number.isFinite(sample.value));
        if (samples.length > 0) answered.set(key, samples.slice(0, 3).map((sample) => `${labels(sample.metric) || '-'}=${Number(sample.value.toPrecision(4))}`).join(' '));
        if (samples.length > 0) largest.set(`${panel.dashboard} / ${panel.title}`, Math.max(...samples.map((sample) => sample.value)));
      }
      return answered.size === panels.length ? true : undefined;
    }, 90_000, 'every panel answered').catch(() => undefined);
    const silent = panels.filter((panel) => !answered.has(`${panel.dashboard} / ${panel.title} / ${panel.refId}`));
    assert.deepEqual(silent.map((panel) => `${panel.dashboard} / ${panel.title}: ${panel.expr}`), [], 'panels whose query returned no finite sample');
    // Known zeros (counters started at 0, `or vector(0)`) answer too: the panels this traffic moves must show it.
    const moved = [
      'Visão geral / Mensagens por minuto', 'Desempenho / Latência das mensagens (p50 e p99)', 'Desempenho / Processamento de documentos (p95)',
      'Negócio / Decisões por dia', 'Negócio / Tempo até à decisão (p50 e p90)', 'Negócio / Tempo de resposta dos agentes (p50 e p90)',
      'Negócio / Mensagens aos motoristas (24 h)', 'Erros / Respostas por código', 'Erros / Pedidos recusados à entrada',
    ];
    assert.deepEqual(moved.filter((panel) => !((largest.get(panel) ?? 0) > 0)), [], 'panels still at 0 after the traffic that moves them');
    console.log(JSON.stringify({ panels: Object.fromEntries(answered) }));
  });

  it('raises WhatsAppDisconnected when the session needs a QR scan (pending, then firing), and resolves it after the scan', async (t) => {
    if (prometheusTools(t) === undefined) return;
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
  });
});
