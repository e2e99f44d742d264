/**
 * A browser's part in a console conversation, over plain HTTP: its cookie jar and the CSRF token of
 * the last page it read. For the console's tests that need no real browser (test/e2e/console*.test.ts).
 */
import assert from 'node:assert/strict';
import { createAccount } from '../../platform/console-accounts.ts';
import type { ConsoleRole } from '../../platform/stores/console.ts';
import type { TestSystem } from './test-system.ts';

export interface ConsolePage { status: number; html: string; location: string | null; headers: Headers }

export class ConsoleClient {
  private cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<ConsolePage> {
    return this.request('GET', path);
  }

  /** A form post; `_csrf` is the last page's token unless `csrf` says otherwise (null: none at all). */
  async post(path: string, fields: Record<string, string | string[]>, csrf: string | null = this.csrf): Promise<ConsolePage> {
    const body = new URLSearchParams();
    if (csrf !== null) body.append('_csrf', csrf);
    for (const [name, value] of Object.entries(fields)) for (const each of Array.isArray(value) ? value : [value]) body.append(name, each);
    return this.request('POST', path, body);
  }

  async signIn(name: string, password: string): Promise<ConsolePage> {
    await this.get('/console/sign-in');
    return this.post('/console/sign-in', { name, password });
  }

  hasSession(): boolean {
    return this.cookies.has('lf_console');
  }

  private async request(method: string, path: string, body?: URLSearchParams): Promise<ConsolePage> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
    const html = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html);
    if (token !== null) this.csrf = token[1]!;
    return { status: response.status, html, location: response.headers.get('location'), headers: response.headers };
  }
}

/** A new console account with a random password on the test system; returns a client signed in with it. */
export async function signedIn(sut: TestSystem, name: string, role: ConsoleRole): Promise<{ client: ConsoleClient; password: string }> {
  const password = `senha-de-teste-${name}-${Math.random().toString(36).slice(2)}`;
  await createAccount(sut.system.db, name, role, password);
  const client = new ConsoleClient(sut.system.apiUrl!);
  const page = await client.signIn(name, password);
  assert.equal(page.status, 303, page.html);
  return { client, password };
}
