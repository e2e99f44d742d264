import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FaultReply, FaultStatus, FaultSwitches } from './fault-switches.ts';

/**
 * Applies a simulator's fault switches to its app: a "down" server resets connections, queued
 * failures answer with the system's own error bodies (`replyFor`), a delay holds every answer,
 * and every answered request is logged by route pattern (never with tokens).
 */
export function installFaultHooks(
  app: FastifyInstance,
  options: {
    faults: FaultSwitches;
    closing: AbortSignal;
    requests: Array<{ method: string; route: string; status: number; at: number }>;
    replyFor: (status: FaultStatus, request: FastifyRequest) => FaultReply;
  },
): void {
  const { faults, closing, requests } = options;
  app.server.on('connection', (socket) => {
    if (faults.down) socket.destroy();
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (faults.down) {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    const status = faults.takeFailure();
    if (status === undefined) {
      done();
      return;
    }
    const fault = options.replyFor(status, request);
    void reply.code(status).type(fault.contentType).send(fault.body);
  });

  app.addHook('onSend', async (_request, _reply, payload) => {
    if (faults.delayMs > 0) await sleep(faults.delayMs, undefined, { signal: closing });
    return payload;
  });

  app.addHook('onResponse', (request, reply, done) => {
    requests.push({ method: request.method, route: request.routeOptions.url ?? '(no route)', status: reply.statusCode, at: Date.now() });
    done();
  });
}
