import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorType } from '../../domain/errors.ts';
import { requestErrors, submissionErrors } from '../../domain/texts/intake.ts';
import type { EdgeLimits } from './limits.ts';
import { EdgeRefusal, unauthorized } from './refusals.ts';

/** What a route's credentials say, from the URL and headers only (the body is not read yet). */
export type Authentication =
  | { outcome: 'authenticated' }
  | { outcome: 'refused'; message: string }
  /** A route anyone may call (health, metrics, the intake without a secret): counted per address. */
  | { outcome: 'open' }
  /** Checked once the body is read (Chatwoot's signature covers it); the route counts a failure then. */
  | { outcome: 'deferred' };

export const authenticated: Authentication = { outcome: 'authenticated' };
export const open: Authentication = { outcome: 'open' };
export const deferred: Authentication = { outcome: 'deferred' };
export const refused = (message: string): Authentication => ({ outcome: 'refused', message });

/** A secret's SHA-256, so secrets of any lengths compare in constant time (`timingSafeEqual` needs equal lengths). */
export const secretDigest = (text: string) => createHash('sha256').update(text).digest();
/** Constant-time comparison of a presented secret with the configured one (any lengths). */
export const sameSecret = (presented: string, expected: string) => timingSafeEqual(secretDigest(presented), secretDigest(expected));

/**
 * An `onRequest` hook: authenticate first, read second. An authenticated caller (Typebot, WPPConnect,
 * Chatwoot, a reviewer) is never throttled by address: each posts everything from one. The
 * unauthenticated and the wrong-token are counted per address and refused 429 past the limit;
 * a wrong token is refused 401 before a byte of the body is read.
 */
export function edgeGuard(limits: EdgeLimits, authenticate: (request: FastifyRequest) => Authentication) {
  return async function guard(request: FastifyRequest): Promise<void> {
    const result = authenticate(request);
    if (result.outcome === 'authenticated' || result.outcome === 'deferred') return;
    const count = await limits.address(request);
    if (count.exceeded) {
      const driver = request.routeOptions.config.audience === 'driver';
      throw new EdgeRefusal(ErrorType.RateLimited, driver ? requestErrors.tooManyRequests : 'Too many requests from this address; retry later', 'rate_limited_address', count.retryAfterSeconds);
    }
    if (result.outcome === 'refused') throw unauthorized(result.message);
  };
}

/** The intake's and the answer check's guard: `X-Intake-Token` against INTAKE_SHARED_SECRET (open when none is set). */
export function intakeGuard(secret: string | undefined, limits: EdgeLimits) {
  return edgeGuard(limits, (request) => {
    if (secret === undefined) return open;
    return sameSecret(String(request.headers['x-intake-token'] ?? ''), secret) ? authenticated : refused(submissionErrors.unauthorized);
  });
}

/** Seconds a driver is asked to wait when every intake slot is taken. */
const busyRetryAfterSeconds = 5;

/**
 * Takes an intake slot (INTAKE_MAX_IN_FLIGHT), waiting up to `waitMs` (INTAKE_QUEUE_WAIT) for one,
 * or refuses with 503 and Retry-After when none came.
 */
export async function enterIntake(limits: EdgeLimits, waitMs: number, signal?: AbortSignal): Promise<void> {
  if (!(await limits.enterIntake(waitMs, signal))) throw busy();
}

const busy = () => new EdgeRefusal(ErrorType.Unavailable, requestErrors.busy, 'busy', busyRetryAfterSeconds);

/**
 * The intake's slot for one request, from its `onRequest` hook, before its body is read (a request
 * waiting in line holds its connection, not its megabytes): given back however the exchange ends,
 * and never kept by a driver who left while waiting.
 */
export async function takeIntakeSlot(limits: EdgeLimits, waitMs: number, reply: FastifyReply): Promise<void> {
  const left = new AbortController();
  let held = false;
  // 'close' comes however the exchange ends: answered, failed, or the client gone mid-body or in line.
  reply.raw.once('close', () => (held ? limits.releaseIntake() : left.abort()));
  const entered = await limits.enterIntake(waitMs, left.signal);
  if (entered && left.signal.aborted) limits.releaseIntake(); // the slot came as the driver left
  if (!entered || left.signal.aborted) throw busy();
  held = true;
}
