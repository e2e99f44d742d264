import type { Payload } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { SealBroken } from '../../platform/crypto/envelope.ts';
import { insertAuditEntry } from '../../platform/stores/audit.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { authenticated, edgeGuard, refused, sameSecret } from '../edge/guard.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { auditedGuard } from '../reviewer-auth.ts';

/** Temporal's codec server protocol: payloads in proto3 JSON (metadata values and data in base64). */
const payloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })).max(1000),
});
const codecParams = z.object({ token: z.string().max(200) });

const fromJson = (payload: z.infer<typeof payloadsBody>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(payload.data ?? '', 'base64'),
});
const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

/**
 * The codec endpoint the Temporal Web UI decodes payloads through (`--ui-codec-endpoint`,
 * `<API>/codec/<operator token>`): the UI cannot send a bearer token, so an operator's token is the
 * path's secret (redacted from the request log). Decode only; CORS for CODEC_CORS_ORIGINS. Every
 * decode is audited with the operator's name and how many payloads.
 */
export const payloadCodecRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  const operators = [...deps.config.OPERATOR_TOKENS];
  const allowed = new Set(deps.config.CODEC_CORS_ORIGINS);
  const operatorOf = (token: string) => {
    let name: string | undefined;
    for (const [known, operator] of operators) if (sameSecret(token, known)) name = operator;
    return name;
  };
  const tokenOf = (request: FastifyRequest) => (request.params as { token?: string }).token ?? '';
  const guard = auditedGuard(deps.db, edgeGuard(limits, (request) =>
    (operatorOf(tokenOf(request)) === undefined ? refused('An operator token is required in the codec endpoint\'s path') : authenticated)));
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && allowed.has(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin')
        .header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type, x-namespace, authorization');
    }
  });

  app.options('/codec/:token/decode', { schema: { params: codecParams } }, async (_request, reply) => reply.status(204).send());
  app.post('/codec/:token/decode', { schema: { params: codecParams, body: payloadsBody }, onRequest: [guard] }, async (request) => {
    const operator = operatorOf(request.params.token)!;
    if (deps.payloadCodec === undefined) throw new AppError(ErrorType.Unavailable, 'No payload codec in this process');
    const codec = deps.payloadCodec;
    // One at a time: a payload of an erased driver (its key destroyed) stays encrypted, the others open.
    const decoded = await Promise.all(request.body.payloads.map(fromJson).map(async (payload) => {
      try {
        return (await codec.decode([payload]))[0]!;
      } catch (error) {
        if (error instanceof SealBroken) return payload;
        throw error;
      }
    }));
    await insertAuditEntry(deps.db, { actor: operator, action: 'decode_payloads', outcome: 'accepted', registrationId: null, remoteAddress: request.ip, details: { payloads: decoded.length, namespace: String(request.headers['x-namespace'] ?? '') } });
    return { payloads: decoded.map(toJson) };
  });
};
