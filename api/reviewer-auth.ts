import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authenticated, refused, secretDigest, type Authentication } from './edge/guard.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The reviewer's name from REVIEWER_TOKENS, set by the reviewer check. */
    reviewer?: string;
  }
}

/**
 * `Authorization: Bearer <token>` against REVIEWER_TOKENS (token → reviewer name). Every token is
 * compared in constant time, so response timing says nothing about which prefix matched. Used by
 * the edge guard (`edge/guard.ts`) in `onRequest`, so a refused caller's body is never read.
 */
export function reviewerAuth(tokens: ReadonlyMap<string, string>) {
  const known = [...tokens].map(([token, name]) => ({ hash: secretDigest(token), name }));
  return function checkReviewer(request: FastifyRequest): Authentication {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) return refused('A reviewer bearer token is required');
    const presented = secretDigest(match[1]!);
    let reviewer: string | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.hash, presented)) reviewer = entry.name;
    }
    if (reviewer === undefined) return refused('Unknown reviewer token');
    request.reviewer = reviewer;
    return authenticated;
  };
}
