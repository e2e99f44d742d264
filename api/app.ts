import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDependencies } from './app-dependencies.ts';
import { edgeGuard, open } from './edge/guard.ts';
import { registerEdgeLimits } from './edge/limits.ts';
import { registerHttpMetrics } from './edge/http-metrics.ts';
import { requestSerializer } from './edge/redact.ts';
import { refusalCounter } from './edge/refusals.ts';
import { nameRequestSpans, traceLogFields } from './edge/tracing.ts';
import { registerErrorHandler } from './error-handler.ts';
import { answerCheckRoutes } from './routes/answer-check.ts';
import { correctionStartRoutes } from './routes/correction-start.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { registrationIntakeRoutes } from './routes/registration-intake.ts';
import { reviewerDecisionRoutes } from './routes/reviewer-decisions.ts';
import { reviewerRegistrationRoutes } from './routes/reviewer-registrations.ts';
import { chatLookupRoutes } from './routes/chat-lookup.ts';
import { driverErasureRoutes } from './routes/driver-erasure.ts';
import { driverExportRoutes } from './routes/driver-export.ts';
import { payloadCodecRoutes } from './routes/payload-codec.ts';
import { consoleRoutes } from './console/index.ts';
import { chatwootWebhookRoutes } from './webhooks/chatwoot-webhook.ts';
import { wppconnectWebhookRoutes } from './webhooks/wppconnect-webhook.ts';

/** Bodies of the routes that set no limit of their own (reviewer decisions: a reason, a list of items). */
const smallBodyLimit = 64 * 1024;

/** The HTTP application; no I/O happens until it listens. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      // Tokens and document payloads must never reach a log line; the webhooks' URL tokens are cut from req.url.
      redact: ['req.headers.authorization', 'req.headers["x-intake-token"]', 'req.headers["x-chatwoot-signature"]'],
      serializers: { req: requestSerializer },
      // Traced, every line says its trace (trace_id, span_id).
      ...(deps.traced === true ? { mixin: traceLogFields } : {}),
      ...(deps.logStream === undefined ? {} : { stream: deps.logStream }),
    },
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    bodyLimit: smallBodyLimit,
    // A slow or stalled client cannot hold a connection (or a request's memory) for long.
    requestTimeout: config.API_REQUEST_TIMEOUT,
    connectionTimeout: config.API_CONNECTION_TIMEOUT,
    keepAliveTimeout: config.API_KEEP_ALIVE_TIMEOUT,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  if (deps.traced === true) nameRequestSpans(app);
  registerErrorHandler(app, refusalCounter(deps.metrics));
  registerHttpMetrics(app, deps.metrics);
  const limits = await registerEdgeLimits(app, config);

  await app.register(async (anyone) => {
    anyone.addHook('onRequest', edgeGuard(limits, () => open));
    await anyone.register(healthRoutes(deps));
    await anyone.register(metricsRoutes(deps, limits));
  });
  await app.register(registrationIntakeRoutes(deps, limits));
  await app.register(answerCheckRoutes(deps, limits));
  await app.register(correctionStartRoutes(deps, limits));
  await app.register(reviewerRegistrationRoutes(deps, limits));
  await app.register(driverExportRoutes(deps, limits));
  await app.register(driverErasureRoutes(deps, limits));
  await app.register(chatLookupRoutes(deps, limits));
  await app.register(payloadCodecRoutes(deps, limits));
  await app.register(reviewerDecisionRoutes(deps, limits));
  await app.register(wppconnectWebhookRoutes(deps, limits));
  await app.register(chatwootWebhookRoutes(deps, limits));
  await app.register(consoleRoutes(deps, limits), { prefix: '/console' });
  return app;
}

/** A hop count as Fastify applies one (trust the nearest `hops` proxies); lists and booleans as they are. */
function trustProxyOption(setting: boolean | number | string[]) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}
