// `npm run temporal`: a persistent local Temporal dev server with its Web UI, until Ctrl-C.
// Data in $DATA_DIR/temporal (default data/temporal); ports from TEMPORAL_PORT / TEMPORAL_UI_PORT.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOrBuildTemporalCli } from './lib/temporal-cli.ts';
import { startTemporalDevServer } from './lib/temporal-dev-server.ts';

const log = (line: string) => console.log(`[temporal] ${line}`);

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a TCP port (1-65535).`);
  return port;
}

async function main(): Promise<void> {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const dataDir = path.resolve(repoRoot, process.env.DATA_DIR || 'data', 'temporal');
  const port = portFromEnv('TEMPORAL_PORT', 7233);
  const uiPort = portFromEnv('TEMPORAL_UI_PORT', 8233);
  if (process.env.TEMPORAL_ADDRESS) log(`TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS} is ignored here: this starts a local server.`);

  const cliPath = await findOrBuildTemporalCli(log);
  const server = await startTemporalDevServer({
    cliPath,
    port,
    uiPort,
    namespace: process.env.TEMPORAL_NAMESPACE || 'default',
    dbFile: path.join(dataDir, 'temporal.db'),
    logFile: path.join(dataDir, 'server.log'),
    log,
  });
  log(`gRPC address: ${server.address} (namespace ${server.namespace})`);
  log(`Web UI:       ${server.uiUrl ?? '(none)'}`);
  log('Ctrl-C to stop.');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping...`);
    server.stop().then(() => process.exit(0), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const reason = await server.exited;
  if (!stopping) {
    console.error(`[temporal] The server stopped by itself (${reason}); see ${server.logFile}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(`[temporal] ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.message.includes('already in use')) {
    console.error('[temporal] Set TEMPORAL_PORT / TEMPORAL_UI_PORT to use other ports.');
  }
  process.exit(1);
});
