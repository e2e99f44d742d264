import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorType } from '../domain/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The reviewer's name from REVIEWER_TOKENS, set by `requireReviewer`. */
    reviewer?: string;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `Authorization: Bearer <token>` against REVIEWER_TOKENS (token → reviewer name). Every token is
 * compared in constant time, so response timing says nothing about which prefix matched.
 */
export function reviewerAuth(tokens: ReadonlyMap<string, string>) {
  const known = [...tokens].map(([token, name]) => ({ hash: digest(token), name }));
  return async function requireReviewer(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new AppError(ErrorType.Unauthorized, 'A reviewer bearer token is required');
    const presented = digest(match[1]!);
    let reviewer: string | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.hash, presented)) reviewer = entry.name;
    }
    if (reviewer === undefined) throw new AppError(ErrorType.Unauthorized, 'Unknown reviewer token');
    request.reviewer = reviewer;
  };
}
