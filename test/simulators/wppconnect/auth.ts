/**
 * The server's verifyToken middleware: a bearer token in the Authorization header,
 * or the `session:token` form in the session path segment. A missing token and a
 * wrong token answer 401 with different bodies.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { SimulatorState } from './state.ts';
import { sessionName } from './state.ts';
import { tokenMatches } from './tokens.ts';

const TOKEN_MISSING = { message: 'Token is not present. Check your header and try again' };
const TOKEN_WRONG = { error: 'Check that the Session and Token are correct' };

export type PreHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

export function verifyToken(state: SimulatorState): PreHandler {
  return (request, reply, done) => {
    const { session = '' } = request.params as { session?: string };
    let token: string;
    if (session.includes(':')) {
      token = session.slice(session.indexOf(':') + 1).split(':')[0] ?? '';
    } else {
      // Like the server: the value after the first space, whatever the scheme word is.
      const value = request.headers.authorization?.split(' ')[1];
      if (!value) {
        void reply.code(401).send(TOKEN_MISSING);
        return;
      }
      token = value;
    }
    if (!tokenMatches(token, sessionName(session), state.secretKey)) {
      void reply.code(401).send(TOKEN_WRONG);
      return;
    }
    done();
  };
}
