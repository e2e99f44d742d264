/**
 * Single sign-on for the console through OpenID Connect (openid-client): the authorization code flow
 * with PKCE, a state and a nonce kept in the session; the ID token's `OIDC_USERNAME_CLAIM` names the
 * console account, which must exist and be enabled (accounts and roles still come from
 * `npm run accounts`; SSO only replaces the password). Every outcome is audited like a password
 * sign-in (`sign_in`, `method: oidc`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { getAccount } from '../../platform/stores/console.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import { consolePrefix, safeNext, type Console } from './plugin.ts';
import { consoleTexts } from './texts.ts';

declare module 'fastify' {
  interface Session {
    /** A sign-in through the issuer under way: what its answer must match. */
    oidc?: { verifier: string; state: string; nonce: string; next: string };
  }
}

export const oidcStartPath = `${consolePrefix}/oidc/start`;
export const oidcCallbackPath = `${consolePrefix}/oidc/callback`;

/** Plain HTTP to the issuer only on this machine (a development or test issuer). */
const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

/** Registers the SSO routes when the issuer is configured; returns whether it did. */
export function oidcRoutes(app: FastifyInstance, deps: AppDependencies, view: Console): boolean {
  const { OIDC_ISSUER_URL: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_USERNAME_CLAIM: usernameClaim } = deps.config;
  if (issuer === undefined || clientId === undefined || clientSecret === undefined) return false;
  const issuerUrl = new URL(issuer);
  // Discovered once, at the first sign-in; a failed discovery is tried again at the next.
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc.discovery(issuerUrl, clientId, clientSecret, undefined, { execute: isLoopback(issuerUrl) ? [oidc.allowInsecureRequests] : [], timeout: 10 })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  const redirectUri = (request: FastifyRequest) => deps.config.OIDC_REDIRECT_URL ?? `${request.protocol}://${request.host}${oidcCallbackPath}`;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  const refuse = async (request: FastifyRequest, reply: FastifyReply, why: string, name: string | null, next: string) => {
    await audit(deps.db, request, { action: 'sign_in', outcome: 'refused', registrationId: null, details: { method: 'oidc', why, ...(name === null ? {} : { name }) } });
    return view.render(reply, 'sign-in', { next, notice: null, error: consoleTexts.signIn.ssoRefused, name: '' }, 401);
  };

  routes.get('/oidc/start', { schema: { querystring: z.object({ next: z.string().max(500).optional() }) } }, async (request, reply) => {
    const config = await configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), next: safeNext(request.query.next) };
    request.session.oidc = pending;
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(request), scope: `openid profile${usernameClaim === 'email' ? ' email' : ''}`,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: pending.state, nonce: pending.nonce,
    });
    return reply.redirect(target.href, 303);
  });

  routes.get('/oidc/callback', async (request, reply) => {
    const pending = request.session.oidc;
    request.session.oidc = undefined;
    if (pending === undefined) return refuse(request, reply, 'no sign-in under way in this session', null, consolePrefix);
    let claims: Record<string, unknown> | undefined;
    try {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const tokens = await oidc.authorizationCodeGrant(await configuration(), new URL(`${redirectUri(request)}${query}`), {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
      claims = tokens.claims();
      // Issuers that keep the ID token minimal (as OpenID Connect's own rules say) give the profile at the UserInfo endpoint.
      if (claims !== undefined && claims[usernameClaim] === undefined) {
        claims = { ...claims, ...await oidc.fetchUserInfo(await configuration(), tokens.access_token, String(claims.sub)) };
      }
    } catch (error) {
      // The issuer's or the library's reason, never a token.
      return refuse(request, reply, `the issuer's answer was refused: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown'}`, null, pending.next);
    }
    const claimed = claims?.[usernameClaim];
    const name = typeof claimed === 'string' ? claimed.trim().toLowerCase() : null;
    const account = name === null ? null : await getAccount(deps.db, name);
    if (account === null || account.disabledAt !== null) return refuse(request, reply, account === null ? 'no console account of that name' : 'account disabled', name, pending.next);
    return view.openSession(request, reply, account, pending.next, { method: 'oidc' });
  });
  return true;
}
