import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError, ErrorType } from '../domain/errors.ts';
import type { Db } from '../platform/db.ts';
import { insertAuditEntry } from '../platform/stores/audit.ts';
import { authenticated, edgeGuard, refused, secretDigest, type Authentication } from './edge/guard.ts';
import type { EdgeLimits } from './edge/limits.ts';
import { EdgeRefusal } from './edge/refusals.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The reviewer's name from REVIEWER_TOKENS or OPERATOR_TOKENS, set by the reviewer check. */
    reviewer?: string;
    /** `operator`: from OPERATOR_TOKENS, who may also export and erase a driver's data. */
    role?: Role;
  }
}

export type Role = 'reviewer' | 'operator';

/**
 * `Authorization: Bearer <token>` against REVIEWER_TOKENS and OPERATOR_TOKENS (token → name). Every
 * token is compared in constant time, so response timing says nothing about which prefix matched.
 * Used by the edge guard (`edge/guard.ts`) in `onRequest`, so a refused caller's body is never read.
 */
export function reviewerAuth(tokens: ReadonlyMap<string, string>, operators: ReadonlyMap<string, string> = new Map()) {
  const entries = (map: ReadonlyMap<string, string>, role: Role) => [...map].map(([token, name]) => ({ hash: secretDigest(token), name, role }));
  const known = [...entries(tokens, 'reviewer'), ...entries(operators, 'operator')];
  return function checkReviewer(request: FastifyRequest): Authentication {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) return refused('A reviewer bearer token is required');
    const presented = secretDigest(match[1]!);
    let found: (typeof known)[number] | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.hash, presented)) found = entry;
    }
    if (found === undefined) return refused('Unknown reviewer token');
    request.reviewer = found.name;
    request.role = found.role;
    return authenticated;
  };
}

/** A route for operators only: a reviewer's token is refused 403 (in English: operators read it). */
export async function operatorsOnly(request: FastifyRequest): Promise<void> {
  if (request.role !== 'operator') throw new AppError(ErrorType.Forbidden, 'This needs an operator token (OPERATOR_TOKENS)');
}

/**
 * An `onRequest` guard whose refused credentials are written to the audit log (who tried from where,
 * on which route, with which user agent; past the per-address limit the 429s are not written, so a
 * flood cannot fill the log).
 */
export function auditedGuard(db: Db, guard: (request: FastifyRequest) => Promise<void>) {
  return async function guardAudited(request: FastifyRequest): Promise<void> {
    try {
      await guard(request);
    } catch (error) {
      if (error instanceof EdgeRefusal && error.reason === 'unauthorized') {
        await insertAuditEntry(db, {
          actor: 'anonymous', action: 'authenticate', outcome: 'refused', registrationId: null, remoteAddress: request.ip,
          details: { route: `${request.method} ${request.routeOptions.url ?? ''}`, why: error.message, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 200) },
        }).catch((failure: unknown) => request.log.error({ err: failure }, 'a refused credential could not be audited'));
      }
      throw error;
    }
  };
}

/** The reviewer routes' `onRequest` guard: the edge guard over `reviewerAuth`, refusals audited. */
export function reviewerGuard(db: Db, tokens: ReadonlyMap<string, string>, operators: ReadonlyMap<string, string> | undefined, limits: EdgeLimits) {
  return auditedGuard(db, edgeGuard(limits, reviewerAuth(tokens, operators)));
}
