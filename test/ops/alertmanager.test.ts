/**
 * Alertmanager's configuration (ops/alertmanager), checked by its own amtool: the template rendered
 * from the environment loads, critical alerts go to e-mail and the chat webhook, warnings to e-mail,
 * and an address left unset is named instead of rendered empty.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { alertmanagerDir, renderAlertmanagerConfig } from '../../scripts/ops-alertmanager.ts';
import { eventually } from '../support/eventually.ts';
import { amtool, prometheusTools, startAlertmanager } from '../support/prometheus.ts';

const env = { ALERT_SMTP_SMARTHOST: 'smtp.example.pt:587', ALERT_EMAIL_FROM: 'alertas@example.pt', ALERT_SMTP_USERNAME: 'alertas', ALERT_EMAIL_TO: 'operacoes@example.pt' };

/** The template rendered from `env` into a temporary folder, with stand-ins for the secrets' files (written where Alertmanager runs, never committed). */
async function renderedConfig(t: TestContext): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ops-alertmanager-'));
  t.after(() => rm(folder, { recursive: true, force: true }));
  const template = await readFile(path.join(alertmanagerDir, 'alertmanager.template.yml'), 'utf8');
  await writeFile(path.join(folder, 'alertmanager.yml'), renderAlertmanagerConfig(template, { ...env, ALERT_SECRETS_DIR: folder }));
  await writeFile(path.join(folder, 'smtp-password'), 'stand-in');
  await writeFile(path.join(folder, 'chat-webhook-url'), 'http://127.0.0.1:9/stand-in');
  return path.join(folder, 'alertmanager.yml');
}

describe('Alertmanager configuration (ops/alertmanager)', () => {
  it('renders from the environment, loads (amtool check-config), and routes critical alerts to e-mail and the chat, warnings to e-mail', async (t) => {
    const tools = prometheusTools(t);
    if (tools === undefined) return;
    const configFile = await renderedConfig(t);
    // From another folder: the secrets' paths must not depend on the working directory.
    const checked = await amtool(tools, ['check-config', configFile], os.tmpdir());
    assert.equal(checked.code, 0, checked.output);
    assert.match(checked.output, /SUCCESS/);
    assert.match(checked.output, /5 inhibit rules/);
    // The receivers it prints, without amtool's warning about --config.file (on stderr).
    const route = async (...labels: string[]) => (await amtool(tools, ['config', 'routes', 'test', `--config.file=${configFile}`, ...labels], os.tmpdir())).output
      .split('\n').filter((line) => line.trim() !== '' && !line.startsWith('Warning:')).join(',');
    assert.equal(await route('severity=critical', 'alertname=WhatsAppDisconnected'), 'operations-email-and-chat');
    assert.equal(await route('severity=critical', 'alertname=TemporalUnavailable'), 'operations-email-and-chat');
    assert.equal(await route('severity=warning', 'alertname=RelayFailures'), 'operations-email');
  });

  it('names every address left unset instead of rendering it empty', async () => {
    const template = await readFile(path.join(alertmanagerDir, 'alertmanager.template.yml'), 'utf8');
    const { ALERT_EMAIL_TO: _to, ALERT_EMAIL_FROM: _from, ...partial } = env;
    assert.throws(() => renderAlertmanagerConfig(template, { ...partial, ALERT_SECRETS_DIR: '/etc/alertmanager' }), /Set ALERT_EMAIL_FROM, ALERT_EMAIL_TO/);
    assert.doesNotMatch(renderAlertmanagerConfig(template, { ...env, ALERT_SECRETS_DIR: '/etc/alertmanager', ALERT_EMAIL_TO: "o'brien@example.pt" }), /'o'brien/, 'a quote is escaped');
  });

  it('holds back, on a real Alertmanager, what a Temporal outage or a stopped worker explains, and nothing else', async (t) => {
    const tools = prometheusTools(t);
    if (tools === undefined) return;
    const alertmanager = await startAlertmanager(tools, await renderedConfig(t));
    t.after(() => alertmanager.stop());

    const firing = (alertname: string, job: string, severity = 'warning') => ({ labels: { alertname, job, severity }, startsAt: new Date().toISOString() });
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        firing('TemporalUnavailable', 'leguas-api', 'critical'), firing('HighErrorRate', 'leguas-api', 'critical'), firing('WebhooksRefused', 'leguas-api'),
        firing('TargetDown', 'leguas-worker', 'critical'), firing('TargetDown', 'temporal-sdk', 'critical'), firing('WhatsAppDisconnected', 'leguas-worker', 'critical'),
        firing('ScheduleToStartHigh', 'temporal-sdk'), firing('DiskAlmostFull', 'node'), firing('RegistrationsWaitingForReview', 'leguas-worker'),
      ]),
    });
    assert.equal(posted.status, 200);
    type Listed = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
    const byName = await eventually(async () => {
      const listed = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as Listed[];
      return listed.length === 9 ? new Map(listed.map((alert) => [`${alert.labels.alertname}/${alert.labels.job}`, alert.status.state])) : undefined;
    }, 15_000, 'the nine alerts in Alertmanager');
    assert.deepEqual(Object.fromEntries([...byName].sort()), {
      'DiskAlmostFull/node': 'active',
      'HighErrorRate/leguas-api': 'suppressed',
      'RegistrationsWaitingForReview/leguas-worker': 'active',
      'ScheduleToStartHigh/temporal-sdk': 'suppressed',
      'TargetDown/leguas-worker': 'active',
      'TargetDown/temporal-sdk': 'suppressed',
      'TemporalUnavailable/leguas-api': 'active',
      'WebhooksRefused/leguas-api': 'suppressed',
      'WhatsAppDisconnected/leguas-worker': 'suppressed',
    });
  });
});
