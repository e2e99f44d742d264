/**
 * Alertmanager's configuration (ops/alertmanager), checked by its own amtool: the template rendered
 * from the environment loads, critical alerts go to e-mail and the chat webhook, warnings to e-mail,
 * and an address left unset is named instead of rendered empty.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { alertmanagerDir, renderAlertmanagerConfig } from '../../scripts/ops-alertmanager.ts';
import { amtool, prometheusTools } from '../support/prometheus.ts';

const env = { ALERT_SMTP_SMARTHOST: 'smtp.example.pt:587', ALERT_EMAIL_FROM: 'alertas@example.pt', ALERT_SMTP_USERNAME: 'alertas', ALERT_EMAIL_TO: 'operacoes@example.pt' };

describe('Alertmanager configuration (ops/alertmanager)', () => {
  it('renders from the environment, loads (amtool check-config), and routes critical alerts to e-mail and the chat, warnings to e-mail', async (t) => {
    const tools = prometheusTools(t);
    if (tools === undefined) return;
    const folder = await mkdtemp(path.join(os.tmpdir(), 'ops-alertmanager-'));
    t.after(() => rm(folder, { recursive: true, force: true }));
    const template = await readFile(path.join(alertmanagerDir, 'alertmanager.template.yml'), 'utf8');
    await writeFile(path.join(folder, 'alertmanager.yml'), renderAlertmanagerConfig(template, { ...env, ALERT_SECRETS_DIR: folder }));
    // Stand-ins for the secrets' files, which are written where Alertmanager runs and never committed.
    await writeFile(path.join(folder, 'smtp-password'), 'stand-in');
    await writeFile(path.join(folder, 'chat-webhook-url'), 'https://hooks.slack.com/services/stand-in');
    // From another folder: the secrets' paths must not depend on the working directory.
    const checked = await amtool(tools, ['check-config', path.join(folder, 'alertmanager.yml')], os.tmpdir());
    assert.equal(checked.code, 0, checked.output);
    assert.match(checked.output, /SUCCESS/);
    assert.match(checked.output, /2 inhibit rules/);
    // The receivers it prints, without amtool's warning about --config.file (on stderr).
    const route = async (...labels: string[]) => (await amtool(tools, ['config', 'routes', 'test', `--config.file=${path.join(folder, 'alertmanager.yml')}`, ...labels], os.tmpdir())).output
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
});
