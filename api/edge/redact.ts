import type { FastifyRequest } from 'fastify';

/** The routes whose path carries a secret (`/webhooks/wppconnect/<token>`, `/webhooks/chatwoot/<token>`, `/codec/<operator token>/…`). */
const tokenInPath = /^(\/webhooks\/(?:wppconnect|chatwoot)\/|\/codec\/)[^/?#]+/;

/** The console's queries hold what a reviewer searched for (a NIF, a phone, a name), and `next` holds such a URL. */
const consoleQuery = /^(\/console[^?#]*)\?.*$/s;

/** The URL as it may be logged: the token segment replaced, the console's query cut. */
export const redactUrl = (url: string) => url.replace(tokenInPath, '$1[redacted]').replace(consoleQuery, '$1?[redacted]');

/** Fastify's request log fields, with the URL redacted (Fastify logs `req.url` on every request). */
export function requestSerializer(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
