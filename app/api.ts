/**
 * The API as its own process (production, docker-compose): applies pending migrations, then serves.
 * `npm start` runs the API and the worker together instead (scripts/start.ts).
 */
import { loadConfig } from '../platform/config.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { migrate } from '../platform/migrate.ts';
import { runUntilSignalled } from './process-lifecycle.ts';
import { startSystem } from './system.ts';
import { startConfiguredTracing } from './tracing.ts';

runUntilSignalled('api', async () => {
  const config = loadConfig(process.env);
  const tracing = await startConfiguredTracing(config, 'leguas-api');
  const databaseUrl = config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas');
  await migrate(databaseUrl, (line) => console.log(`[api] ${line}`));
  const system = await startSystem({
    config, databaseUrl, temporalAddress: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', run: { api: true, worker: false },
    ...(tracing === undefined ? {} : { tracing }),
  });
  console.log(`[api] listening on ${system.apiUrl}${tracing === undefined ? '' : '; tracing on'}`);
  return {
    async stop() {
      await system.stop();
      await tracing?.shutdown();
    },
  };
});
