/**
 * The sandbox: a simulated Chatwoot to poke at by hand.
 *   npx tsx test/simulators/chatwoot/main.ts
 * Env: CHATWOOT_SIM_PORT (default 3000), CHATWOOT_SIM_HOST (default 127.0.0.1),
 * CHATWOOT_SIM_API_TOKEN (default test-chatwoot-token), CHATWOOT_SIM_WEBHOOK_SECRET
 * (default test-chatwoot-webhook-secret), CHATWOOT_SIM_WEBHOOK_URL (the API inbox's
 * webhook, e.g. http://127.0.0.1:8080/webhooks/chatwoot), CHATWOOT_SIM_SIGN_WEBHOOKS
 * (default true; false = Chatwoot older than 4.13).
 */
import { startChatwootSimulator } from './index.ts';

const env = process.env;
const port = Number.parseInt(env.CHATWOOT_SIM_PORT ?? '3000', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`CHATWOOT_SIM_PORT must be a port number, got "${env.CHATWOOT_SIM_PORT}"`);
  process.exit(1);
}

const simulator = await startChatwootSimulator({
  port,
  host: env.CHATWOOT_SIM_HOST ?? '127.0.0.1',
  apiToken: env.CHATWOOT_SIM_API_TOKEN || undefined,
  webhookSecret: env.CHATWOOT_SIM_WEBHOOK_SECRET || undefined,
  webhookUrl: env.CHATWOOT_SIM_WEBHOOK_URL || undefined,
  signWebhooks: env.CHATWOOT_SIM_SIGN_WEBHOOKS !== 'false',
});

console.log(`Chatwoot simulator listening on ${simulator.url} (account ${simulator.accountId}, API inbox ${simulator.inboxId})`);
console.log(
  `Try: curl -X POST ${simulator.url}/api/v1/accounts/${simulator.accountId}/contacts/filter -H 'api_access_token: ${simulator.apiToken}' ` +
    `-H 'content-type: application/json' -d '{"payload":[{"attribute_key":"phone_number","filter_operator":"equal_to","values":["+351912345678"]}]}'`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
