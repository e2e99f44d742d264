/**
 * The registration worker as its own process (production, docker-compose), with its Prometheus
 * metrics on WORKER_METRICS_PORT (/metrics). `npm start` runs it inside the same process as the API.
 */
import { createServer } from 'node:http';
import { loadConfig } from '../platform/config.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { runUntilSignalled } from './process-lifecycle.ts';
import { startSystem } from './system.ts';

runUntilSignalled('worker', async () => {
  const config = loadConfig(process.env);
  const system = await startSystem({
    config,
    databaseUrl: config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'),
    temporalAddress: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    run: { api: false, worker: true },
  });
  const metrics = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    system.metrics.metrics().then(
      (text) => response.writeHead(200, { 'content-type': system.metrics.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => metrics.listen(config.WORKER_METRICS_PORT, resolve));
  console.log(`[worker] polling task queue ${config.TEMPORAL_TASK_QUEUE}; metrics on :${config.WORKER_METRICS_PORT}/metrics`);
  return {
    async stop() {
      metrics.close();
      await system.stop();
    },
  };
});
