/**
 * The reviewer console over HTTP (issue 14): sign-in (wrong password refused and audited, attempts
 * limited, idle sessions expired), CSRF on every form, the queue and its search, a registration's
 * page, decisions previewed then made through the workflow (a race won by one reviewer, the other
 * told who decided), the operators' pages, and the headers that keep documents from running as the
 * console. The browser journeys are in console-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConsoleClient, signedIn } from '../support/console-client.ts';
import { flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

const unique = () => randomUUID().slice(0, 8);

describe('reviewer console', () => {
  let sut: TestSystem;
  let documents: SampleDocuments;
  before(async () => {
    sut = await startTestSystem({ RATE_LIMIT_SIGN_INS: '4' });
    documents = await sampleDocuments();
  });
  after(async () => sut.stop());

  async function register(overrides: Record<string, unknown> = {}): Promise<{ id: string; payload: Record<string, unknown> }> {
    const payload = flatPayload(documents, overrides);
    const created = await sut.call('POST', '/drivers/register-typebot/', payload);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.registration_id as string;
    await eventually(async () => ((await sut.asReviewer('GET', `/drivers/${id}`)).body.status === 'pending_approval' ? true : undefined), 20_000, 'the registration to await a reviewer');
    return { id, payload };
  }

  const auditRows = async (action: string, actor: string) =>
    (await sut.system.db.query<{ outcome: string; details: Record<string, unknown> }>('SELECT outcome, details FROM audit_log WHERE action = $1 AND actor = $2 ORDER BY id', [action, actor])).rows;

  it('signs in with an account: a wrong password is refused and audited, the session cookie is HttpOnly and SameSite', async () => {
    const name = `ana-${unique()}`;
    const { password } = await signedIn(sut, name, 'reviewer');
    const stranger = new ConsoleClient(sut.system.apiUrl!);
    const wrong = await stranger.signIn(name, `${password}-not`);
    assert.equal(wrong.status, 401);
    assert.match(wrong.html, /Utilizador ou palavra-passe incorretos/);
    const unknown = await stranger.signIn(`ninguem-${unique()}`, password);
    assert.equal(unknown.status, 401);
    assert.match(unknown.html, /Utilizador ou palavra-passe incorretos/, 'an unknown name reads as a wrong password');
    const refused = await auditRows('sign_in', 'anonymous');
    assert.ok(refused.some((row) => row.outcome === 'refused' && row.details.name === name && row.details.why === 'wrong password'), JSON.stringify(refused));
    assert.ok(!JSON.stringify(refused).includes(password), 'no password in the audit log');

    const client = new ConsoleClient(sut.system.apiUrl!);
    await client.get('/console/sign-in');
    const ok = await client.post('/console/sign-in', { name, password, next: '/console?status=approved' });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/console?status=approved');
    const cookie = ok.headers.getSetCookie().find((line) => line.startsWith('lf_console='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\/console/i);
    assert.deepEqual((await auditRows('sign_in', name)).map((row) => row.outcome), ['accepted', 'accepted'], 'the helper\'s sign-in, then this one');
    const queue = await client.get('/console');
    assert.equal(queue.status, 200);
    assert.match(queue.html, new RegExp(`data-testid="signed-in-as">${name}`));
  });

  it('a next parameter never leads off the console', async () => {
    const { password } = await signedIn(sut, `rui-${unique()}`, 'reviewer');
    const client = new ConsoleClient(sut.system.apiUrl!);
    await client.get('/console/sign-in');
    const page = await client.post('/console/sign-in', { name: (await sut.system.db.query<{ name: string }>("SELECT name FROM console_accounts WHERE name LIKE 'rui-%' ORDER BY created_at DESC LIMIT 1")).rows[0]!.name, password, next: '//evil.example/console' });
    assert.equal(page.location, '/console');
  });

  it('pages need a session: a stranger is sent to sign in, and an idle session expires', async () => {
    const stranger = new ConsoleClient(sut.system.apiUrl!);
    const page = await stranger.get('/console?status=pending_approval');
    assert.equal(page.status, 303);
    assert.equal(page.location, `/console/sign-in?next=${encodeURIComponent('/console?status=pending_approval')}`);
    const name = `idle-${unique()}`;
    const { client } = await signedIn(sut, name, 'reviewer');
    assert.equal((await client.get('/console')).status, 200);
    // Idle past CONSOLE_IDLE_TIMEOUT: the stored session's expiry is moved back rather than waited for, so a
    // short timeout never ends another test's session on a slow machine.
    await sut.system.db.query("UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE data->>'account' = $1", [name]);
    const expired = await client.get('/console');
    assert.equal(expired.status, 303, 'idle past CONSOLE_IDLE_TIMEOUT');
    assert.match(expired.location ?? '', /^\/console\/sign-in\?/);
  });

  it('a form without its CSRF token is refused and changes nothing', async () => {
    const { id } = await register();
    const { client } = await signedIn(sut, `csrf-${unique()}`, 'reviewer');
    await client.get(`/console/registrations/${id}`);
    for (const csrf of [null, 'forged-token']) {
      const refused = await client.post(`/console/registrations/${id}/decide`, { kind: 'approve' }, csrf);
      assert.equal(refused.status, 403);
      assert.match(refused.html, /O formulário expirou ou não veio desta consola/);
    }
    assert.equal((await sut.asReviewer('GET', `/drivers/${id}`)).body.status, 'pending_approval');
  });

  it('sign-in attempts past RATE_LIMIT_SIGN_INS are refused (429) and audited', async () => {
    const name = `lim-${unique()}`;
    const { password } = await signedIn(sut, name, 'reviewer');
    const client = new ConsoleClient(sut.system.apiUrl!);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) statuses.push((await client.signIn(name, 'palavra-errada-123')).status);
    assert.deepEqual(statuses.slice(0, 3), [401, 401, 401], 'the signed-in attempt counted first');
    assert.equal(statuses.at(-1), 429);
    assert.equal((await client.signIn(name, password)).status, 429, 'even the right password waits');
    assert.ok((await auditRows('sign_in', 'anonymous')).some((row) => row.details.name === name && row.details.why === 'too many attempts'));
  });

  it('the queue counts and finds registrations by id, NIF, phone and name, and shows how long each waited', async () => {
    const surname = `Zacarias${unique().replace(/\d/g, 'x')}`;
    const { id, payload } = await register({ nome_completo: `Joana ${surname}` });
    const { client } = await signedIn(sut, `fila-${unique()}`, 'reviewer');
    const queue = await client.get('/console?status=pending_approval');
    assert.match(queue.html, /data-testid="tab-pending_approval">A aguardar decisão <span class="count">\d+<\/span>/);
    for (const q of [id, String(payload.nif), String(payload.telefone), surname.toLowerCase(), `JOANA ${surname.toUpperCase()}`]) {
      const found = await client.get(`/console?q=${encodeURIComponent(q)}`);
      const rows = [...found.html.matchAll(/data-testid="queue-row" data-id="([^"]+)"/g)].map((match) => match[1]);
      assert.deepEqual(rows, [id], `search ${q}`);
    }
    const row = await client.get(`/console?q=${id}`);
    assert.match(row.html, /class="wait w-ok" data-testid="waiting">menos de 1 h/);
    const none = await client.get(`/console?q=${encodeURIComponent('Ninguém Com Este Nome')}`);
    assert.match(none.html, /data-testid="queue-empty"/);
    const searched = await sut.system.db.query<{ details: Record<string, unknown> }>("SELECT details FROM audit_log WHERE action = 'list_registrations' AND details->>'console' = 'true' ORDER BY id DESC LIMIT 5");
    assert.ok(!JSON.stringify(searched.rows).includes(surname), 'what was searched for is not audited in plain');
  });

  it('a decision is previewed as the driver will read it, then made once; a second reviewer is told who decided', async () => {
    const { id } = await register({ nome_completo: 'Beatriz Lopes Cardoso' });
    const ana = (await signedIn(sut, `ana-${unique()}`, 'reviewer')).client;
    const rui = (await signedIn(sut, `rui-${unique()}`, 'reviewer')).client;
    await ana.get(`/console/registrations/${id}`);
    await rui.get(`/console/registrations/${id}`);
    const missing = await ana.post(`/console/registrations/${id}/preview`, { kind: 'reject' });
    assert.equal(missing.status, 400);
    assert.match(missing.html, /Escolha um motivo ou escreva um/);
    const preview = await ana.post(`/console/registrations/${id}/preview`, { kind: 'reject', reason_code: 'documents_illegible', reason_text: '' });
    assert.equal(preview.status, 200);
    assert.match(preview.html, /Olá, Beatriz\. Analisámos o seu registo como motorista da Léguas Franzinas e, infelizmente, não o podemos aprovar\. Motivo: Os documentos enviados não são legíveis\./);
    assert.equal((await sut.asReviewer('GET', `/drivers/${id}`)).body.status, 'pending_approval', 'a preview decides nothing');

    const [first, second] = await Promise.all([
      ana.post(`/console/registrations/${id}/decide`, { kind: 'reject', reason_code: 'documents_illegible', reason_text: '' }),
      rui.post(`/console/registrations/${id}/decide`, { kind: 'approve' }),
    ]);
    const winner = first.status === 303 ? 'ana' : 'rui';
    assert.deepEqual([first.status, second.status].sort(), [303, 409], `${first.status} ${second.status}`);
    const loser = winner === 'ana' ? second : first;
    const decided = await sut.asReviewer('GET', `/drivers/${id}`);
    assert.match(String(decided.body.decided_by), new RegExp(`^${winner}-`));
    assert.match(loser.html, new RegExp(`Este registo já foi decidido por ${decided.body.decided_by as string} em`));
    const done = await (winner === 'ana' ? ana : rui).get((winner === 'ana' ? first : second).location!);
    assert.match(done.html, /data-testid="decision-done"/);
  });

  it('a correction request names the items; the registration page shows fields, documents and the timeline', async () => {
    const { id } = await register();
    const { client } = await signedIn(sut, `cor-${unique()}`, 'reviewer');
    const page = await client.get(`/console/registrations/${id}`);
    assert.equal(page.status, 200);
    assert.equal([...page.html.matchAll(/data-testid="document" data-revision="1"/g)].length, 3);
    assert.match(page.html, /Registo submetido/);
    assert.match(page.html, /Documentos preparados/);
    const none = await client.post(`/console/registrations/${id}/preview`, { kind: 'request_correction', message: 'x' });
    assert.match(none.html, /Assinale pelo menos um documento ou dado a corrigir/);
    const preview = await client.post(`/console/registrations/${id}/preview`, { kind: 'request_correction', items: ['licence_back', 'postal_code'], message: 'A foto está desfocada.' });
    assert.match(preview.html, /fotografia da carta de condução \(verso\) e código postal/);
    const decided = await client.post(`/console/registrations/${id}/decide`, { kind: 'request_correction', items: ['licence_back', 'postal_code'], message: 'A foto está desfocada.' });
    assert.equal(decided.status, 303);
    const after = await eventually(async () => {
      const view = await client.get(`/console/registrations/${id}`);
      return view.html.includes('Pedido de correção ao motorista') ? view : undefined;
    }, 20_000, 'the correction message in the timeline');
    assert.match(after.html, /Correção pedida/);
  });

  it('operators only: the audit log, the accounts, export and erasure; a reviewer is refused', async () => {
    const { id } = await register();
    const reviewer = (await signedIn(sut, `rev-${unique()}`, 'reviewer')).client;
    for (const path of ['/console/audit', '/console/accounts', `/console/registrations/${id}/erase`]) {
      const refused = await reviewer.get(path);
      assert.equal(refused.status, 403, path);
      assert.match(refused.html, /Esta página é só para operadores/);
    }
    assert.equal((await reviewer.post(`/console/registrations/${id}/export`, {})).status, 403);
    const operatorName = `op-${unique()}`;
    const operator = (await signedIn(sut, operatorName, 'operator')).client;
    const trail = await operator.get(`/console/audit?registration=${id}`);
    assert.equal(trail.status, 200);
    assert.match(trail.html, /data-testid="audit-row"/);
    assert.match((await operator.get('/console/accounts')).html, new RegExp(operatorName));
    await operator.get(`/console/registrations/${id}`);
    const zip = await operator.post(`/console/registrations/${id}/export`, {});
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get('content-type'), 'application/zip');
    await operator.get(`/console/registrations/${id}/erase`);
    const wrongWord = await operator.post(`/console/registrations/${id}/erase`, { confirm: 'sim' });
    assert.equal(wrongWord.status, 400);
    assert.equal((await sut.asReviewer('GET', `/drivers/${id}`)).body.status, 'pending_approval');
    const erased = await operator.post(`/console/registrations/${id}/erase`, { confirm: 'APAGAR' });
    assert.equal(erased.status, 200);
    assert.match(erased.html, /data-testid="erased">Dados apagados: 1 registo/);
    assert.equal((await sut.asReviewer('GET', `/drivers/${id}`)).body.status, 'erased');
  });

  it('documents are served so they cannot run as the console: sandboxed, never sniffed', async () => {
    const { id } = await register();
    const { client } = await signedIn(sut, `doc-${unique()}`, 'reviewer');
    const page = await client.get(`/console/registrations/${id}`);
    const links = [...page.html.matchAll(/src="(\/console\/registrations\/[^"]+\/documents\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(links.length >= 3, page.html);
    for (const link of links) {
      const file = await client.get(link);
      assert.equal(file.status, 200, link);
      assert.match(file.headers.get('content-security-policy') ?? '', /^sandbox; default-src 'none'/);
      assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
      assert.match(file.headers.get('content-type') ?? '', /^(image\/(jpeg|png|webp)|application\/pdf)$/);
    }
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });
});
