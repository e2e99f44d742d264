/**
 * `npm run ops:alertmanager`: renders ops/alertmanager/alertmanager.yml from its template and the
 * environment (ALERT_EMAIL_TO, ALERT_EMAIL_FROM, ALERT_SMTP_SMARTHOST, ALERT_SMTP_USERNAME; see
 * .env.example). The SMTP password and the chat webhook's URL are secrets: put them in
 * ops/alertmanager/smtp-password and ops/alertmanager/chat-webhook-url (git-ignored), which
 * Alertmanager reads itself. A variable unset is an error naming it; nothing is written then.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const alertmanagerDir = fileURLToPath(new URL('../ops/alertmanager/', import.meta.url));

/** The template with every `${NAME}` replaced from `env`; throws naming the variables that are unset. */
export function renderAlertmanagerConfig(template: string, env: Record<string, string | undefined>): string {
  const missing = new Set<string>();
  const rendered = template.replace(/\$\{([A-Z_]+)\}/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      missing.add(name);
      return '';
    }
    // Inside single-quoted YAML: a quote is doubled.
    return value.replace(/'/g, "''");
  });
  if (missing.size > 0) throw new Error(`Set ${[...missing].join(', ')} (.env.example, "Alerts")`);
  return rendered;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const template = await readFile(new URL('alertmanager.template.yml', `file://${alertmanagerDir}`), 'utf8');
  try {
    // The secrets' folder as Alertmanager will see it (ALERT_SECRETS_DIR in a container), by default this one.
    const env = { ALERT_SECRETS_DIR: alertmanagerDir.replace(/\/$/, ''), ...process.env };
    await writeFile(new URL('alertmanager.yml', `file://${alertmanagerDir}`), renderAlertmanagerConfig(template, env));
    console.log('ops/alertmanager/alertmanager.yml written; check it with: amtool check-config ops/alertmanager/alertmanager.yml');
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}
