/**
 * Single sign-on into the reviewer console (OpenID Connect) in a real browser, against a real
 * OpenID provider running in the test (oidc-provider, the certified Node implementation, with its
 * development login page): an account signs in through the issuer; a name the console does not know
 * is refused and audited; a callback with no sign-in under way is refused.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import type { Page } from 'playwright-core';
import { createAccount } from '../../platform/console-accounts.ts';
import { withBrowser } from '../support/browser.ts';
import { useTestSystem } from '../support/test-system.ts';

const clientId = 'consola-leguas';
const clientSecret = `segredo-${randomUUID()}`;
const account = `sso-${randomUUID().slice(0, 6)}`;

describe('console single sign-on (OpenID Connect)', () => {
  let handle: (request: IncomingMessage, response: ServerResponse) => unknown = (_request, response) => response.writeHead(503).end();
  const issuerServer: Server = createServer((request, response) => {
    void handle(request, response);
  });
  const env: Record<string, string> = { OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret };
  let issuer = '';
  before(async () => {
    await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    env.OIDC_ISSUER_URL = issuer;
  });
  after(async () => new Promise<void>((resolve) => issuerServer.close(() => resolve())));

  const system = useTestSystem(env, {}, {
    started: async (sut) => {
      const provider = new Provider(issuer, {
        clients: [{
          client_id: clientId, client_secret: clientSecret, redirect_uris: [`${sut.system.apiUrl!}/console/oidc/callback`],
          grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post',
        }],
        // The development login takes any name: it becomes the subject, and its preferred_username.
        findAccount: (_context, sub) => ({ accountId: sub, claims: () => ({ sub, preferred_username: sub }) }),
        claims: { openid: ['sub'], profile: ['preferred_username'] },
        features: { devInteractions: { enabled: true } },
        cookies: { keys: [randomUUID()] },
      });
      handle = provider.callback();
      await createAccount(sut.system.db, account, 'reviewer', `palavra-passe-${randomUUID()}`);
    },
  });

  /** Through the issuer's development login (any name, any password) and its consent, back to the console. */
  async function signInThroughIssuer(page: Page, name: string): Promise<void> {
    await page.goto(`${system().system.apiUrl!}/console`);
    await page.getByTestId('sso').click();
    await page.locator('input[name="login"]').fill(name);
    await page.locator('input[name="password"]').fill('qualquer');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.pathname.startsWith('/console') || url.pathname.includes('interaction'));
    if (!new URL(page.url()).pathname.startsWith('/console')) {
      await page.locator('button[type="submit"]').click();
      await page.waitForURL((url) => url.pathname.startsWith('/console'));
    }
  }

  it('an account signs in through the issuer; an unknown name is refused and audited', async (t) => {
    await withBrowser(t, async (browser) => {
      const sut = system();
      const context = await browser.newContext({ locale: 'pt-PT' });
      const page = await context.newPage();
      await signInThroughIssuer(page, account);
      await page.getByTestId('signed-in-as').getByText(account).waitFor();
      const accepted = await sut.system.db.query("SELECT 1 FROM audit_log WHERE action = 'sign_in' AND outcome = 'accepted' AND actor = $1 AND details->>'method' = 'oidc'", [account]);
      assert.equal(accepted.rowCount, 1);
      await context.close();

      const strangerContext = await browser.newContext({ locale: 'pt-PT' });
      const stranger = await strangerContext.newPage();
      const unknown = `ninguem-${randomUUID().slice(0, 6)}`;
      await signInThroughIssuer(stranger, unknown);
      await stranger.getByTestId('sign-in-error').getByText('Não foi possível entrar com a conta da empresa', { exact: false }).waitFor();
      assert.equal(await stranger.getByTestId('signed-in-as').count(), 0);
      const refused = await sut.system.db.query<{ details: Record<string, unknown> }>("SELECT details FROM audit_log WHERE action = 'sign_in' AND outcome = 'refused' AND details->>'name' = $1", [unknown]);
      assert.equal(refused.rows[0]?.details.why, 'no console account of that name');
      await strangerContext.close();
    });
  });

  it('a callback with no sign-in under way in its session is refused', async () => {
    const sut = system();
    const response = await fetch(`${sut.system.apiUrl!}/console/oidc/callback?code=forged&state=forged`, { redirect: 'manual' });
    assert.equal(response.status, 401);
    assert.match(await response.text(), /Não foi possível entrar com a conta da empresa/);
  });
});
