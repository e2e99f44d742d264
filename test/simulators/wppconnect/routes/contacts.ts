/**
 * GET /api/:session/contact/pn-lid/:pnLid (contactController.getContactPnLid ->
 * WPP.contact.getPnLidEntry): a phone id (…@c.us) or a LID (…@lid) in, 200 with
 * `{lid?, phoneNumber?, contact?}` out, each id as `{id, server, _serialized}`; a side
 * WhatsApp does not know is simply absent. Any other id makes wa-js throw: 500.
 */
import type { FastifyInstance } from 'fastify';
import { verifyToken } from '../auth.ts';
import type { SimulatorState } from '../state.ts';
import { statusConnection } from '../status-connection.ts';

function widInfo(id: string | undefined): { id: string; server: string; _serialized: string } | undefined {
  if (id === undefined) return undefined;
  const [user = '', server = ''] = id.split('@');
  return { id: user, server, _serialized: id };
}

export function contactRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get<{ Params: { session: string; pnLid: string } }>(
    '/api/:session/contact/pn-lid/:pnLid',
    { preHandler: [verifyToken(state), statusConnection(state)] },
    (request, reply) => {
      const { pnLid } = request.params;
      if (!/^\d+@(c\.us|lid)$/.test(pnLid)) {
        return reply.code(500).send({ status: 'error', message: 'Error on get contact by PN-LID', error: {} });
      }
      const isLid = pnLid.endsWith('@lid');
      const lid = isLid ? pnLid : state.phoneToLid.get(pnLid);
      const phone = isLid ? state.lidToPhone.get(pnLid) : pnLid;
      const pushname = state.pushnames.get(lid ?? '') ?? state.pushnames.get(phone ?? '');
      return reply.code(200).send({
        lid: widInfo(lid),
        phoneNumber: widInfo(phone),
        contact: pushname === undefined ? undefined : { pushname, type: 'in', isBusiness: false, isEnterprise: false },
      });
    },
  );
}
