/**
 * The reviewer console (`/console`): server-rendered pages in pt-PT (Eta templates in views/, a
 * little script in assets/ for zoom, rotation and the decision forms), so it works without a build
 * step and with scripts off. Sessions in HttpOnly SameSite cookies whose ids are kept in PostgreSQL
 * (@fastify/session), a CSRF token on every form (@fastify/csrf-protection), security headers and a
 * Content-Security-Policy allowing only this origin (@fastify/helmet). Bearer tokens stay for the
 * JSON API; the console signs in with accounts (npm run accounts).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import { Eta } from 'eta';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { consoleStatusLabels } from '../../domain/texts/console.ts';
import { consoleTexts } from './texts.ts';
import type { ConsoleRole } from '../../platform/stores/console.ts';
import { deleteExpiredSessions, getAccount } from '../../platform/stores/console.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import { EdgeRefusal } from '../edge/refusals.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { isTemporalUnreachable } from '../error-handler.ts';
import { postgresSessionStore } from './session-store.ts';

declare module 'fastify' {
  interface Session {
    account?: string;
    role?: ConsoleRole;
    /** Epoch ms of the sign-in: the session ends CONSOLE_SESSION_MAX after it. */
    signedInAt?: number;
    _csrf?: string;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const consoleViewsDir = path.join(here, 'views');
const assetsDir = path.join(here, 'assets');
export const consolePrefix = '/console';
const signInPath = `${consolePrefix}/sign-in`;
/** Pages anyone may open: the sign-in, and single sign-on's way out and back. */
const publicPaths = new Set([signInPath, `${consolePrefix}/oidc/start`, `${consolePrefix}/oidc/callback`]);
/** A cookie that only says "signed in on this browser" (no session in it), so an ended session is told apart from a first visit. */
export const signedInMarker = 'lf_console_signed_in';

const dateTime = new Intl.DateTimeFormat('pt-PT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Lisbon' });
/** A date as a reviewer in Portugal reads it. */
export const formatDate = (date: Date | null | undefined) => (date === null || date === undefined ? '' : dateTime.format(date));

export interface Console {
  /** Renders a page of views/ with the common data (texts, who is signed in, a CSRF token). */
  render: (reply: FastifyReply, view: string, data: Record<string, unknown>, status?: number) => Promise<FastifyReply>;
  /** Sets (or clears, at sign-out) the signed-in marker cookie. */
  markSignedIn: (reply: FastifyReply, signedIn: boolean) => void;
  /**
   * A sign-in that succeeded (password or single sign-on): a new session id (no fixation) holding the
   * account, the sign-in audited with `details`, the marker set, and on to `next`.
   */
  openSession: (request: FastifyRequest, reply: FastifyReply, account: { name: string; role: ConsoleRole }, next: string, details?: Record<string, unknown>) => Promise<FastifyReply>;
  /** The preHandler of an operators-only page. */
  operatorsOnly: (request: FastifyRequest) => Promise<void>;
  /** The preValidation of every form: its CSRF token must be the session's. */
  csrf: preValidationHookHandler;
}

/** Only paths inside the console: a `next` parameter can never send a reviewer elsewhere. */
export const safeNext = (next: unknown) => (typeof next === 'string' && /^\/console(?:[/?][^\s\\]*)?$/.test(next) && !next.startsWith('//') ? next : consolePrefix);

export async function registerConsoleBase(app: FastifyInstance, deps: AppDependencies, limits: EdgeLimits): Promise<Console> {
  const { config } = deps;
  /** Whether the sign-in page offers single sign-on (api/console/oidc.ts). */
  const sso = config.OIDC_ISSUER_URL !== undefined;
  const eta = new Eta({ views: consoleViewsDir, cache: config.NODE_ENV === 'production', autoEscape: true, autoTrim: false });
  // Outside production a random secret per process (the config refuses to start production without one).
  const secrets = config.CONSOLE_SESSION_SECRET.length > 0 ? config.CONSOLE_SESSION_SECRET : [randomBytes(32).toString('base64url')];

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: secrets,
    cookieName: 'lf_console',
    store: postgresSessionStore(deps.db, config.CONSOLE_IDLE_TIMEOUT),
    saveUninitialized: false,
    rolling: true,
    cookie: {
      path: consolePrefix,
      httpOnly: true,
      sameSite: 'lax',
      secure: config.CONSOLE_COOKIE_SECURE === 'auto' ? 'auto' : config.CONSOLE_COOKIE_SECURE === 'true',
      maxAge: config.CONSOLE_IDLE_TIMEOUT,
    },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf ?? String(request.headers['x-csrf-token'] ?? '') });
  await app.register(fastifyFormbody);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'"], frameSrc: ["'self'"], connectSrc: ["'self'"],
        objectSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"], frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(fastifyStatic, { root: assetsDir, prefix: '/assets/', decorateReply: false, maxAge: '1h' });

  // Every page but the sign-in and the assets needs a signed-in, enabled account.
  app.addHook('onRequest', async (request, reply) => {
    const url = request.url.split('?', 1)[0]!;
    if (url.startsWith(`${consolePrefix}/assets/`)) return;
    // The public pages make a session (the sign-in form's CSRF secret): a stranger's count against the address's limit.
    if (publicPaths.has(url)) return refuseFlood(request);
    const session = request.session;
    const name = session.account;
    const account = name === undefined ? null : await getAccount(deps.db, name);
    const expired = session.signedInAt === undefined || Date.now() - session.signedInAt > config.CONSOLE_SESSION_MAX;
    if (account === null || account.disabledAt !== null || expired) {
      if (name !== undefined) await session.destroy();
      // Signed in before (the marker outlives an idle session's cookie): say the session ended.
      const ended = name !== undefined || request.cookies[signedInMarker] !== undefined;
      if (ended) void reply.clearCookie(signedInMarker, { path: consolePrefix });
      // A stranger's requests count against the address's limit, as on the JSON API.
      await refuseFlood(request);
      const query = new URLSearchParams({ next: request.method === 'GET' ? request.url : consolePrefix, ...(ended ? { expired: '1' } : {}) });
      return reply.redirect(`${signInPath}?${query.toString()}`, 303);
    }
    request.reviewer = account.name;
    request.role = account.role;
  });

  async function refuseFlood(request: FastifyRequest): Promise<void> {
    const count = await limits.address(request);
    if (count.exceeded) throw new EdgeRefusal(ErrorType.RateLimited, consoleTexts.errors.tooMany, 'rate_limited_address', count.retryAfterSeconds);
  }

  // Sessions past their idle time are refused when read; they are also deleted, every idle period, by each instance.
  const sweep = setInterval(() => {
    deleteExpiredSessions(deps.db).catch((error: unknown) => app.log.warn({ err: error }, 'expired console sessions could not be deleted'));
  }, Math.max(60_000, config.CONSOLE_IDLE_TIMEOUT));
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) request.log.error({ err: error }, 'console request failed');
    if (error instanceof EdgeRefusal && error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
    return render(reply, 'error', { message: messageOf(error, status) }, status);
  });
  app.setNotFoundHandler(async (_request, reply) => render(reply, 'error', { message: consoleTexts.errors.notFound }, 404));

  async function render(reply: FastifyReply, view: string, data: Record<string, unknown>, status = 200): Promise<FastifyReply> {
    const request = reply.request;
    const html = await eta.renderAsync(view, {
      ...data,
      t: consoleTexts,
      statusLabels: consoleStatusLabels,
      formatDate,
      sso,
      me: request.reviewer === undefined ? null : { name: request.reviewer, role: request.role },
      csrf: request.session === undefined ? '' : reply.generateCsrf(),
    });
    return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  }

  const markSignedIn: Console['markSignedIn'] = (reply, signedIn) => {
    if (!signedIn) return void reply.clearCookie(signedInMarker, { path: consolePrefix });
    void reply.setCookie(signedInMarker, '1', {
      path: consolePrefix, httpOnly: true, sameSite: 'lax', maxAge: Math.round(config.CONSOLE_SESSION_MAX / 1000),
      secure: config.CONSOLE_COOKIE_SECURE === 'auto' ? reply.request.protocol === 'https' : config.CONSOLE_COOKIE_SECURE === 'true',
    });
  };

  return {
    render,
    markSignedIn,
    openSession: async (request, reply, account, next, details = {}) => {
      await request.session.regenerate();
      request.session.account = account.name;
      request.session.role = account.role;
      request.session.signedInAt = Date.now();
      request.reviewer = account.name;
      await audit(deps.db, request, { action: 'sign_in', outcome: 'accepted', registrationId: null, details: { role: account.role, ...details } });
      markSignedIn(reply, true);
      return reply.redirect(next, 303);
    },
    csrf: (request, reply, done) => app.csrfProtection(request, reply, done),
    operatorsOnly: async (request) => {
      if (request.role !== 'operator') throw new AppError(ErrorType.Forbidden, consoleTexts.errors.forbidden);
    },
  };
}

function statusOf(error: FastifyError): number {
  if (error instanceof AppError) return error.status;
  if (hasZodFastifySchemaValidationErrors(error)) return 400;
  if (isTemporalUnreachable(error)) return 503;
  return typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
}

function messageOf(error: FastifyError, status: number): string {
  const texts = consoleTexts.errors;
  if (error.code === 'FST_CSRF_MISSING_SECRET' || error.code === 'FST_CSRF_INVALID_TOKEN') return texts.csrf;
  if (status === 404) return texts.notFound;
  if (status === 403) return texts.forbidden;
  if (status === 429) return texts.tooMany;
  if (status === 503) return texts.unavailable;
  if (status >= 500) return texts.unexpected;
  return texts.invalid;
}
