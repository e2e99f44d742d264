import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

const secret = 'segredo-partilhado-do-typebot-1234';

/**
 * Typebot's file storage behind redirects: `/hops/<n>/<file>` redirects n times before serving the
 * file, `/away/<file>` redirects to the same server under the name `localhost`. Records every request.
 */
function redirectingFileHost(files: Record<string, Buffer>, seen: IncomingMessage[]): Server {
  const server = createServer((request, response) => {
    seen.push(request);
    const { port } = server.address() as { port: number };
    const url = request.url ?? '';
    const hops = /^\/hops\/(\d+)\/(.+)$/.exec(url);
    if (hops !== null) {
      const left = Number(hops[1]);
      const location = left <= 1 ? `/${hops[2]}` : `/hops/${left - 1}/${hops[2]}`;
      return void response.writeHead(302, { location }).end();
    }
    const away = /^\/away\/(.+)$/.exec(url);
    if (away !== null) return void response.writeHead(302, { location: `http://localhost:${port}/${away[1]}` }).end();
    const file = files[url];
    if (file === undefined) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
  });
  return server;
}

describe('registration intake with INTAKE_SHARED_SECRET and documents behind redirects', () => {
  let sut: TestSystem;
  let documents: SampleDocuments;
  let host: Server;
  let base: string;
  const seen: IncomingMessage[] = [];

  before(async () => {
    documents = await sampleDocuments();
    host = redirectingFileHost({ '/front.jpg': documents.licenceFront, '/back.png': documents.licenceBack, '/morada.pdf': documents.proofOfAddress }, seen);
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    sut = await startTestSystem({ INTAKE_SHARED_SECRET: secret, DOCUMENT_URL_ALLOWED_HOSTS: '127.0.0.1' });
  });
  after(async () => {
    await sut.stop();
    await new Promise((resolve) => host.close(resolve));
  });

  /** Registrations this file created: the worker is still preparing their documents while other tests run. */
  const accepted: string[] = [];
  async function submit(payload: Record<string, unknown>, token?: string) {
    const response = await sut.call('POST', '/drivers/register-typebot/', payload, token === undefined ? {} : { 'x-intake-token': token });
    if (typeof response.body.registration_id === 'string') accepted.push(response.body.registration_id);
    return response;
  }
  const filesOfOthers = async () => (await sut.storedFiles()).filter((file) => !accepted.some((id) => file.includes(id)));
  const rowsWithNif = async (nif: unknown) =>
    (await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', String(nif))])).rows[0]!.n;

  /** Refused in pt-PT, with nothing stored and no workflow started; returns the error. */
  async function refusedWithNothingLeft(payload: Record<string, unknown>, token: string | undefined, status: number): Promise<{ error: string; fields: Record<string, string> }> {
    // Counted from Temporal's visibility, which may lag a registration accepted just before: wait until it shows every one.
    const workflowsBefore = await eventually(async () => {
      const count = await sut.workflowCount();
      return count >= accepted.length ? count : undefined;
    }, 10_000, 'the accepted registrations\' workflows in the count');
    const response = await submit(payload, token);
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.equal(response.body.success, false);
    assert.equal(await rowsWithNif(payload.nif), 0, 'no registration row');
    assert.deepEqual(await filesOfOthers(), [], 'no stored file');
    assert.equal(await sut.workflowCount(), workflowsBefore, 'no workflow');
    return { error: String(response.body.error), fields: (response.body.fields ?? {}) as Record<string, string> };
  }

  it('refuses a submission without X-Intake-Token, or with a wrong one, and accepts it with the secret', async () => {
    const payload = flatPayload(documents);
    const missing = await refusedWithNothingLeft(payload, undefined, 401);
    assert.equal(missing.error, 'Pedido não autorizado.');
    const wrong = await refusedWithNothingLeft(payload, 'segredo-errado', 401);
    assert.equal(wrong.error, 'Pedido não autorizado.');
    const almost = await refusedWithNothingLeft(payload, `${secret}x`, 401);
    assert.equal(almost.error, 'Pedido não autorizado.');

    const accepted = await submit(payload, secret);
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal(accepted.body.success, true);
    assert.equal(await rowsWithNif(payload.nif), 1);
  });

  const viaUrls = (front: string) =>
    flatPayload(documents, { cnh_frente: `${base}${front}`, cnh_verso: `${base}/back.png`, comprovante_morada: `${base}/morada.pdf` });

  it('follows up to three redirects to a document', async () => {
    const response = await submit(viaUrls('/hops/3/front.jpg'), secret);
    assert.equal(response.status, 201, JSON.stringify(response.body));
  });

  it('refuses a document URL that redirects more than three times, in pt-PT, storing nothing', async () => {
    const before = seen.length;
    const { error, fields } = await refusedWithNothingLeft(viaUrls('/hops/4/front.jpg'), secret, 422);
    assert.match(error, /redireciona demasiadas vezes/);
    assert.match(fields.cnh_frente ?? '', /carta de condução.*redireciona demasiadas vezes/);
    assert.ok(!seen.slice(before).some((request) => request.url === '/front.jpg'), 'the file at the end of the chain was never fetched');
  });

  it('checks each redirect hop against DOCUMENT_URL_ALLOWED_HOSTS: a redirect to a host not listed is refused before it is fetched', async () => {
    const before = seen.length;
    // "localhost" reaches the same server, but only "127.0.0.1" is allowed.
    const { error, fields } = await refusedWithNothingLeft(viaUrls('/away/front.jpg'), secret, 422);
    assert.match(error, /não é de uma origem autorizada/);
    assert.match(fields.cnh_frente ?? '', /não é de uma origem autorizada/);
    assert.deepEqual(seen.slice(before).filter((request) => request.headers.host?.startsWith('localhost')).map((request) => request.url), [], 'nothing fetched from the host not allowed');
  });
});
