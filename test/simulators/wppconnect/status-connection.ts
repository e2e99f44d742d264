/**
 * The server's statusConnection middleware, in front of every send-* and read
 * route: 404 when the session has no browser client (not started, closed, or stuck
 * INITIALIZING), then every plain phone number in `phone` goes through
 * checkNumberStatus (400 when WhatsApp does not know it). The middleware cannot
 * tell a phone offline or a QR waiting for a scan: the session passes, and
 * WhatsApp, unreachable, knows no number (CONTRACTS.md §2.2).
 *
 * The real middleware keeps going after answering 400 (a bug: the controller may
 * still send to the other recipients); the simulator stops at the first unknown.
 */
import type { PreHandler } from './auth.ts';
import { contactToArray, digitsOf, isPhoneId } from './addressing.ts';
import type { SimulatorState } from './state.ts';
import { hasClient, sessionName } from './state.ts';

export const SESSION_INACTIVE = {
  response: null,
  status: 'Disconnected',
  message: 'A sessão do WhatsApp não está ativa.',
};

export function statusConnection(state: SimulatorState): PreHandler {
  return (request, reply, done) => {
    const { session = '' } = request.params as { session?: string };
    if (!hasClient(state, sessionName(session))) {
      void reply.code(404).send(SESSION_INACTIVE);
      return;
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    const reachable = state.connection === 'CONNECTED';
    for (const id of contactToArray(body.phone, body)) {
      if (isPhoneId(id) && (!reachable || state.unknownNumbers.has(digitsOf(id)))) {
        void reply.code(400).send({ response: null, status: 'Connected', message: `O número ${digitsOf(id)} não existe.` });
        return;
      }
    }
    done();
  };
}
