/**
 * The registration worker as its own process (production, docker-compose), with its Prometheus
 * metrics on WORKER_METRICS_PORT (/metrics) and the Temporal SDK's on TEMPORAL_SDK_METRICS_ADDRESS.
 * `npm start` runs it inside the same process as the API.
 */
import { createServer } from 'node:http';
import { loadConfig } from '../platform/config.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { runUntilSignalled } from './process-lifecycle.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';
import { startSystem } from './system.ts';
import { startConfiguredTracing } from './tracing.ts';

runUntilSignalled('worker', async () => {
  const config = loadConfig(process.env);
  installTemporalRuntime({ logLevel: 'INFO', sdkMetricsAddress: config.TEMPORAL_SDK_METRICS_ADDRESS });
  const tracing = await startConfiguredTracing(config, 'leguas-worker');
  const system = await startSystem({
    config,
    databaseUrl: config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'),
    temporalAddress: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    run: { api: false, worker: true },
    ...(tracing === undefined ? {} : { tracing }),
  });
  const metrics = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    system.metrics.metrics().then(
      (text) => response.writeHead(200, { 'content-type': system.metrics.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => metrics.listen(config.WORKER_METRICS_PORT, resolve));
  const sdkMetrics = config.TEMPORAL_SDK_METRICS_ADDRESS === undefined ? '' : `, the Temporal SDK's on ${config.TEMPORAL_SDK_METRICS_ADDRESS}/metrics`;
  console.log(`[worker] polling task queue ${config.TEMPORAL_TASK_QUEUE}; metrics on :${config.WORKER_METRICS_PORT}/metrics${sdkMetrics}`);
  return {
    async stop() {
      metrics.close();
      await system.stop();
      await tracing?.shutdown();
    },
  };
});
