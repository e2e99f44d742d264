/**
 * The sandbox: a simulated Typebot viewer running an exported flow, to poke at by hand.
 *   npx tsx test/simulators/typebot/main.ts
 * Env: TYPEBOT_SIM_FLOW (the exported flow JSON, default the repository's docs/typebot-flows/cadastro-motorista.json),
 * TYPEBOT_SIM_PORT (default 8081), TYPEBOT_SIM_HOST (default 127.0.0.1), TYPEBOT_SIM_PUBLIC_ID
 * (default cadastro-motorista), TYPEBOT_SIM_PUBLIC_URL (what upload URLs start with),
 * TYPEBOT_SIM_SSRF_ALLOWED_HOSTS (SSRF_ALLOWED_HOSTS, comma-separated),
 * TYPEBOT_SIM_DEVELOPMENT (true: like NODE_ENV=development, HTTP Request blocks may call localhost).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTypebotSimulator } from './index.ts';

const env = process.env;
const port = Number.parseInt(env.TYPEBOT_SIM_PORT ?? '8081', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`TYPEBOT_SIM_PORT must be a port number, got "${env.TYPEBOT_SIM_PORT}"`);
  process.exit(1);
}

const defaultFlow = fileURLToPath(new URL('../../../docs/typebot-flows/cadastro-motorista.json', import.meta.url));
const flowPath = env.TYPEBOT_SIM_FLOW ? resolve(env.TYPEBOT_SIM_FLOW) : defaultFlow;
let flow: unknown;
try {
  flow = JSON.parse(readFileSync(flowPath, 'utf8'));
} catch (error) {
  console.error(`TYPEBOT_SIM_FLOW: cannot read the exported flow at ${flowPath}: ${(error as Error).message}`);
  process.exit(1);
}

const simulator = await startTypebotSimulator({
  flow,
  port,
  host: env.TYPEBOT_SIM_HOST || '127.0.0.1',
  publicId: env.TYPEBOT_SIM_PUBLIC_ID || undefined,
  publicBaseUrl: env.TYPEBOT_SIM_PUBLIC_URL || undefined,
  ssrfAllowedHosts: (env.TYPEBOT_SIM_SSRF_ALLOWED_HOSTS ?? '').split(',').map((host) => host.trim()).filter((host) => host !== ''),
  developmentMode: env.TYPEBOT_SIM_DEVELOPMENT === 'true',
});

console.log(`Typebot simulator listening on ${simulator.url}, running ${flowPath} as "${simulator.publicId}"`);
console.log(
  `Try: curl -X POST ${simulator.url}/api/v1/typebots/${simulator.publicId}/startChat -H 'content-type: application/json' ` +
    `-d '{"textBubbleContentFormat":"markdown","prefilledVariables":{"WhatsApp":"+351912345678"}}'`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
