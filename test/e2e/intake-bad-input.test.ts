import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeDecompressionBombPng, makePng } from '../fixtures/documents.ts';
import { dataUrl, flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { useTestSystem } from '../support/test-system.ts';

describe('registration intake refuses bad input and changes nothing', () => {
  const system = useTestSystem({ DOCUMENT_URL_ALLOWED_HOSTS: 'files.typebot.example.pt' });
  let documents: SampleDocuments;

  before(async () => {
    documents = await sampleDocuments();
  });

  /**
   * Sends the request and checks the status, the pt-PT error shape and that nothing was stored or
   * started by it (measured against before the request, whatever other tests left behind).
   */
  async function refused(body: unknown, expectedStatus: number, field?: string): Promise<string> {
    const sut = system();
    const nif = typeof body === 'object' && body !== null && 'nif' in body ? String(body.nif) : null;
    const [filesBefore, workflowsBefore] = [await sut.storedFiles(), await sut.workflowCount()];
    const response = await sut.call('POST', '/drivers/register-typebot', body);
    assert.equal(response.status, expectedStatus, JSON.stringify(response.body).slice(0, 300));
    assert.equal(response.body.success, false);
    assert.equal(typeof response.body.error, 'string');
    if (field !== undefined) assert.ok(field in (response.body.fields as object), `error names ${field}: ${JSON.stringify(response.body.fields)}`);
    if (nif !== null) {
      const rows = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', nif)]);
      assert.equal(rows.rows[0]!.n, 0, 'no registration row');
    }
    assert.deepEqual(await sut.storedFiles(), filesBefore, 'no stored file');
    assert.equal(await sut.workflowCount(), workflowsBefore, 'no workflow');
    return response.body.error as string;
  }

  it('answers 400 to malformed JSON', async () => {
    const error = await refused('{"nif": "123456789",', 400);
    assert.equal(error, 'O pedido não é um JSON válido.');
  });

  it('answers 413 to a 20 MB body', async () => {
    const huge = Buffer.alloc(20_000_000, 0x41);
    await refused(flatPayload(documents, { cnh_frente: dataUrl('image/jpeg', huge) }), 413, 'cnh_frente');
  });

  it('answers 422 to invalid base64', async () => {
    await refused(flatPayload(documents, { cnh_verso: 'data:image/png;base64,@@not*base64@@' }), 422, 'cnh_verso');
  });

  it('answers 415 to a PNG announced as a PDF', async () => {
    const png = await makePng({ width: 100, height: 100 });
    const error = await refused(flatPayload(documents, { comprovante_morada: dataUrl('application/pdf', png) }), 415, 'comprovante_morada');
    assert.match(error, /comprovativo de morada/);
  });

  it('answers 415 to a text file sent as an image', async () => {
    await refused(flatPayload(documents, { cnh_frente: dataUrl('image/jpeg', Buffer.from('isto não é uma fotografia\n'.repeat(20))) }), 415, 'cnh_frente');
  });

  it('answers 422 to a decompression bomb, without decoding it', async () => {
    const error = await refused(flatPayload(documents, { cnh_frente: dataUrl('image/png', makeDecompressionBombPng()) }), 422, 'cnh_frente');
    assert.match(error, /resolução demasiado elevada/, 'refused for the resolution its header declares, before decoding');
  });

  it('answers 422 to a document URL outside the allowlist, without fetching it', async () => {
    let fetched = false;
    const probe = await import('node:http').then(({ createServer }) => createServer((_req, res) => { fetched = true; res.end('x'); }));
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    try {
      await refused(flatPayload(documents, { cnh_frente: `http://127.0.0.1:${port}/carta.jpg` }), 422, 'cnh_frente');
      await refused(flatPayload(documents, { cnh_frente: 'http://169.254.169.254/latest/meta-data/' }), 422, 'cnh_frente');
      assert.equal(fetched, false);
    } finally {
      probe.close();
    }
  });

  it('answers 422 naming each invalid field, in pt-PT', async () => {
    const payload = flatPayload(documents, { nif: '123456788', codigo_postal: '4050', telefone: '12345', nome_completo: 'Rui' });
    const response = await system().call('POST', '/drivers/register-typebot/', payload);
    assert.equal(response.status, 422);
    assert.deepEqual(Object.keys(response.body.fields as object).sort(), ['codigo_postal', 'nif', 'nome_completo', 'telefone']);
    assert.match(String(response.body.error), /Há 4 campos por corrigir/);
  });

  it('refuses a company NIF with a message saying so', async () => {
    const response = await system().call('POST', '/drivers/register-typebot/', flatPayload(documents, { nif: '500000000' }));
    assert.equal(response.status, 422);
    assert.match(String((response.body.fields as Record<string, string>).nif), /empresa|pessoa coletiva/i);
  });

  it('treats SQL-looking text as plain data', async () => {
    await refused(flatPayload(documents, { nome_completo: "Robert'); DROP TABLE registrations;--" }), 422, 'nome_completo');
    const tables = await system().system.db.query<{ present: boolean }>("SELECT to_regclass('registrations') IS NOT NULL AS present");
    assert.equal(tables.rows[0]!.present, true);
  });
});
