/**
 * The sandbox: a simulated WPPConnect Server to poke at by hand.
 *   npx tsx test/simulators/wppconnect/main.ts
 * Env: WPPCONNECT_SIM_PORT (default 21465), WPPCONNECT_SIM_HOST (default 127.0.0.1),
 * WPPCONNECT_SIM_SECRET_KEY (default THISISMYSECURETOKEN), WPPCONNECT_SIM_SESSION (default bridge),
 * WPPCONNECT_SIM_WEBHOOK_URL (the server-wide webhook; a start-session `webhook` wins over it).
 */
import { startWppConnectSimulator } from './index.ts';

const port = Number.parseInt(process.env.WPPCONNECT_SIM_PORT ?? '21465', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`WPPCONNECT_SIM_PORT must be a port number, got "${process.env.WPPCONNECT_SIM_PORT}"`);
  process.exit(1);
}

const simulator = await startWppConnectSimulator({
  port,
  host: process.env.WPPCONNECT_SIM_HOST ?? '127.0.0.1',
  secretKey: process.env.WPPCONNECT_SIM_SECRET_KEY,
  session: process.env.WPPCONNECT_SIM_SESSION,
  webhookUrl: process.env.WPPCONNECT_SIM_WEBHOOK_URL || undefined,
});

console.log(`WPPConnect simulator listening on ${simulator.url} (session "${simulator.session}")`);
console.log(`Get a token: curl -X POST ${simulator.url}/api/${simulator.session}/${simulator.secretKey}/generate-token`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
