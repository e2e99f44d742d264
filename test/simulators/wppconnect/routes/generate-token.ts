/** POST /api/:session/:secretkey/generate-token (encryptController). No auth, no body. */
import type { FastifyInstance } from 'fastify';
import type { SimulatorState } from '../state.ts';
import { issueToken } from '../tokens.ts';

export function generateTokenRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post<{ Params: { session: string; secretkey: string } }>(
    '/api/:session/:secretkey/generate-token',
    (request, reply) => {
      const { session, secretkey } = request.params;
      if (secretkey !== state.secretKey) {
        return reply.code(400).send({ response: false, message: 'The SECRET_KEY is incorrect' });
      }
      const token = issueToken(session, state.secretKey);
      return reply.code(201).send({ status: 'success', session, token, full: `${session}:${token}` });
    },
  );
}
