/**
 * Api::V1::Accounts::BaseController's gate: the `api_access_token` header (Rack also maps
 * `api-access-token` to it), then the account. No token at all is Devise's 401, a wrong one
 * "Invalid Access Token", an account that does not exist a 404.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { INVALID_TOKEN, NOT_FOUND, SIGN_IN_FIRST } from './rails-errors.ts';
import type { SimulatorState } from './state.ts';

export type PreHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

export function requireAccountAccess(state: SimulatorState): PreHandler {
  return (request, reply, done) => {
    const header = request.headers.api_access_token ?? request.headers['api-access-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') {
      void reply.code(401).send(SIGN_IN_FIRST);
      return;
    }
    if (token !== state.apiToken) {
      void reply.code(401).send(INVALID_TOKEN);
      return;
    }
    const { account_id: accountId } = request.params as { account_id?: string };
    if (accountId !== String(state.account.id)) {
      void reply.code(404).send(NOT_FOUND);
      return;
    }
    done();
  };
}
