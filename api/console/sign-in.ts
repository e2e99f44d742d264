import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { consoleTexts } from './texts.ts';
import { verifyPassword } from '../../platform/crypto/passwords.ts';
import { getAccount } from '../../platform/stores/console.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { consolePrefix, safeNext, type Console } from './plugin.ts';

const signInBody = z.object({
  name: z.string().trim().toLowerCase().max(64),
  password: z.string().max(200),
  next: z.string().max(500).optional(),
});

/**
 * Sign-in and sign-out. Every attempt is audited (the name tried, never the password); attempts are
 * limited per name and per address (RATE_LIMIT_SIGN_INS); a wrong name and a wrong password read
 * the same and take the same time. A successful sign-in gets a new session id (no fixation).
 */
export function signInRoutes(app: FastifyInstance, deps: AppDependencies, limits: EdgeLimits, view: Console): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/sign-in', { schema: { querystring: z.object({ next: z.string().max(500).optional(), expired: z.string().optional(), out: z.string().optional() }) } }, async (request, reply) => {
    const notice = request.query.expired !== undefined ? consoleTexts.signIn.expired : request.query.out !== undefined ? consoleTexts.signIn.signedOut : null;
    return view.render(reply, 'sign-in', { next: safeNext(request.query.next), notice, error: null, name: '' });
  });

  routes.post('/sign-in', { preValidation: view.csrf, schema: { body: signInBody } }, async (request, reply) => {
    const { name, password } = request.body;
    const next = safeNext(request.body.next);
    const attempt = { action: 'sign_in' as const, registrationId: null };
    const count = await limits.signIn(name, request);
    if (count.exceeded) {
      await audit(deps.db, request, { ...attempt, outcome: 'refused', details: { name, why: 'too many attempts' } });
      void reply.header('retry-after', String(count.retryAfterSeconds));
      return view.render(reply, 'sign-in', { next, notice: null, error: consoleTexts.signIn.tooMany(Math.ceil(count.retryAfterSeconds / 60)), name }, 429);
    }
    const account = await getAccount(deps.db, name);
    const matches = await verifyPassword(password, account?.passwordHash);
    if (account === null || !matches || account.disabledAt !== null) {
      const why = account === null ? 'unknown account' : !matches ? 'wrong password' : 'account disabled';
      await audit(deps.db, request, { ...attempt, outcome: 'refused', details: { name, why, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 200) } });
      return view.render(reply, 'sign-in', { next, notice: null, error: consoleTexts.signIn.wrong, name }, 401);
    }
    return view.openSession(request, reply, account, next);
  });

  routes.post('/sign-out', { preValidation: view.csrf }, async (request, reply) => {
    await audit(deps.db, request, { action: 'sign_out', outcome: 'accepted', registrationId: null });
    await request.session.destroy();
    view.markSignedIn(reply, false);
    return reply.redirect(`${consolePrefix}/sign-in?out=1`, 303);
  });
}
