import { createHmac, randomBytes } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../../platform/config.ts';

export type LimitsConfig = Pick<
  Config,
  | 'REDIS_URL' | 'RATE_LIMIT_PER_ADDRESS' | 'RATE_LIMIT_WINDOW' | 'RATE_LIMIT_INTAKE_PER_NIF' | 'RATE_LIMIT_INTAKE_PER_PHONE'
  | 'RATE_LIMIT_INTAKE_WINDOW' | 'RATE_LIMIT_ANSWER_CHECKS' | 'RATE_LIMIT_CORRECTION_CODES' | 'INTAKE_MAX_IN_FLIGHT' | 'INTAKE_SHARED_SECRET'
  | 'RATE_LIMIT_SIGN_INS' | 'RATE_LIMIT_SIGN_IN_WINDOW'
>;

/** One count against a limit: whether it is now exceeded, and when its window ends. */
export interface LimitCount {
  exceeded: boolean;
  retryAfterSeconds: number;
}

export interface EdgeLimits {
  /** Counts one unauthenticated or wrong-token request from the request's address. */
  address(request: FastifyRequest): Promise<LimitCount>;
  /** Counts one submission for a NIF and one for a phone (each when given); the keys are keyed hashes, never the numbers. */
  submission(nif: string | null, phone: string | null): Promise<{ nif: LimitCount | null; phone: LimitCount | null }>;
  /** Counts one answer checked for a chat session (or an address); the key is a keyed hash. */
  answerCheck(key: string): Promise<LimitCount>;
  /**
   * Counts one correction looked up by its code, whoever asks: every web driver comes through
   * Typebot's one address, so the bound is on all lookups together, which keeps guessing a code
   * (~40 bits, a few outstanding) hopeless while a real driver needs one lookup per correction.
   */
  correctionCode(): Promise<LimitCount>;
  /**
   * Counts one console sign-in attempt for an account name (RATE_LIMIT_SIGN_INS per
   * RATE_LIMIT_SIGN_IN_WINDOW) and one for the address (ten times as many: an office signs in from
   * one address): guessing one account's password from many addresses, or many accounts' from one,
   * is bounded either way. The name's key is a keyed hash.
   */
  signIn(name: string, request: FastifyRequest): Promise<LimitCount>;
  /**
   * Takes an intake slot (INTAKE_MAX_IN_FLIGHT), waiting up to `waitMs` in line for one, first come
   * first served; false when none came in time, the line is full, or `signal` aborted (the driver
   * left). `releaseIntake` gives it back.
   */
  enterIntake(waitMs: number, signal?: AbortSignal): Promise<boolean>;
  releaseIntake(): void;
  /** Registrations being read and checked now, and those waiting in line for a slot (the metrics). */
  intakeLoad(): { inFlight: number; waiting: number };
}

/** What the limiter needs of a request: the key. Typed apart so NIF and phone counts need no request. */
interface Keyed { limitKey: string; routeOptions: { config: Record<string, never> } }

/**
 * The rate limits, on @fastify/rate-limit's store: Redis when REDIS_URL is set (every API instance
 * shares the counts), else this process's memory. Redis unreachable: the limit is skipped and logged
 * (the authentication still holds), rather than refusing every driver and webhook.
 */
export async function registerEdgeLimits(app: FastifyInstance, config: LimitsConfig): Promise<EdgeLimits> {
  let redis: Redis | undefined;
  if (config.REDIS_URL !== undefined) {
    redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 1000, connectTimeout: 2000 });
    // The URL may hold a password: log the kind of failure only.
    redis.on('error', (error: Error & { code?: string }) => app.log.warn({ code: error.code ?? error.name }, 'rate-limit store (Redis) unavailable'));
    app.addHook('onClose', async () => {
      // quit() waits for Redis to answer; when it is not connected there is nothing to wait for.
      if (redis?.status === 'ready') await redis.quit().catch(() => redis?.disconnect());
      else redis?.disconnect();
    });
  }
  await app.register(rateLimit, {
    global: false,
    skipOnError: true,
    nameSpace: 'leguas-rate:',
    ...(redis === undefined ? {} : { redis }),
  });

  const limiter = (max: number, timeWindow: number) => {
    const check = app.createRateLimit({ max, timeWindow, keyGenerator: (request) => (request as unknown as Keyed).limitKey });
    return async (limitKey: string): Promise<LimitCount> => {
      const result = await check({ limitKey, routeOptions: { config: {} } } as unknown as FastifyRequest);
      if (result.isAllowed) return { exceeded: false, retryAfterSeconds: 0 };
      return { exceeded: result.isExceeded, retryAfterSeconds: Math.max(1, result.ttlInSeconds) };
    };
  };
  const byAddress = limiter(config.RATE_LIMIT_PER_ADDRESS, config.RATE_LIMIT_WINDOW);
  const byNif = limiter(config.RATE_LIMIT_INTAKE_PER_NIF, config.RATE_LIMIT_INTAKE_WINDOW);
  const byPhone = limiter(config.RATE_LIMIT_INTAKE_PER_PHONE, config.RATE_LIMIT_INTAKE_WINDOW);
  const byAnswerSession = limiter(config.RATE_LIMIT_ANSWER_CHECKS, config.RATE_LIMIT_INTAKE_WINDOW);
  const correctionCodes = limiter(config.RATE_LIMIT_CORRECTION_CODES, config.RATE_LIMIT_INTAKE_WINDOW);
  const signInsByName = limiter(config.RATE_LIMIT_SIGN_INS, config.RATE_LIMIT_SIGN_IN_WINDOW);
  const signInsByAddress = limiter(10 * config.RATE_LIMIT_SIGN_INS, config.RATE_LIMIT_SIGN_IN_WINDOW);
  // Keyed with the intake secret, which every instance shares, so a leaked Redis dump does not give
  // NIFs back by trying all 10^9 of them; without one (development) a key of this process.
  const hashKey = config.INTAKE_SHARED_SECRET ?? randomBytes(32).toString('hex');
  const hashed = (kind: string, value: string) => `${kind}:${createHmac('sha256', hashKey).update(`${kind}:${value}`).digest('base64url')}`;

  let inFlight = 0;
  /** Intakes waiting for a slot, oldest first; beyond four times the slots a driver is refused at once. */
  const line = new Set<() => void>();
  const lineMax = 4 * config.INTAKE_MAX_IN_FLIGHT;
  return {
    address: (request) => byAddress(`address:${request.ip}`),
    submission: async (nif, phone) => {
      // Side by side: with Redis slow to answer, one wait rather than two.
      const [nifCount, phoneCount] = await Promise.all([
        nif === null ? null : byNif(hashed('nif', nif)),
        phone === null ? null : byPhone(hashed('phone', phone)),
      ]);
      return { nif: nifCount, phone: phoneCount };
    },
    answerCheck: (key) => byAnswerSession(hashed('answers', key)),
    correctionCode: () => correctionCodes('correction-codes'),
    signIn: async (name, request) => {
      const [byName, byAddress] = await Promise.all([signInsByName(hashed('sign-in', name)), signInsByAddress(`sign-in-address:${request.ip}`)]);
      return byName.exceeded ? byName : byAddress;
    },
    enterIntake: (waitMs, signal) => new Promise<boolean>((resolve) => {
      if (inFlight < config.INTAKE_MAX_IN_FLIGHT && line.size === 0) {
        inFlight += 1;
        return resolve(true);
      }
      if (waitMs <= 0 || line.size >= lineMax || signal?.aborted === true) return resolve(false);
      const leave = (entered: boolean) => {
        line.delete(enter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', giveUp);
        resolve(entered);
      };
      const enter = () => {
        inFlight += 1;
        leave(true);
      };
      const giveUp = () => leave(false);
      const timer = setTimeout(giveUp, waitMs);
      signal?.addEventListener('abort', giveUp, { once: true });
      line.add(enter);
    }),
    releaseIntake: () => {
      inFlight = Math.max(0, inFlight - 1);
      // The longest waiting takes the slot (a Set iterates in insertion order).
      const next = line.values().next();
      if (next.done !== true) next.value();
    },
    intakeLoad: () => ({ inFlight, waiting: line.size }),
  };
}
