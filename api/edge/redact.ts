import type { FastifyRequest } from 'fastify';

/** The routes whose path carries a secret (`/webhooks/wppconnect/<token>`, `/webhooks/chatwoot/<token>`, `/codec/<operator token>/…`). */
const tokenInPath = /^(\/webhooks\/(?:wppconnect|chatwoot)\/|\/codec\/)[^/?#]+/;

/** The URL as it may be logged: the token segment replaced. */
export const redactUrl = (url: string) => url.replace(tokenInPath, '$1[redacted]');

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
