import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDependencies } from './app-dependencies.ts';
import { registerErrorHandler } from './error-handler.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { registrationIntakeRoutes } from './routes/registration-intake.ts';
import { reviewerDecisionRoutes } from './routes/reviewer-decisions.ts';
import { reviewerRegistrationRoutes } from './routes/reviewer-registrations.ts';
import { chatwootWebhookRoutes } from './webhooks/chatwoot-webhook.ts';
import { wppconnectWebhookRoutes } from './webhooks/wppconnect-webhook.ts';

/** The HTTP application; no I/O happens until it listens. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.config.LOG_LEVEL,
      // Tokens and document payloads must never reach a log line.
      redact: ['req.headers.authorization', 'req.headers["x-intake-token"]'],
    },
    trustProxy: deps.config.TRUST_PROXY,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  await app.register(healthRoutes(deps));
  await app.register(metricsRoutes(deps));
  await app.register(registrationIntakeRoutes(deps));
  await app.register(reviewerRegistrationRoutes(deps));
  await app.register(reviewerDecisionRoutes(deps));
  await app.register(wppconnectWebhookRoutes(deps));
  await app.register(chatwootWebhookRoutes(deps));
  return app;
}
