import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFileHost } from '../support/file-host.ts';
import { flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

describe('documents given as URLs (Typebot file input)', () => {
  let documents: SampleDocuments;
  let host: Awaited<ReturnType<typeof startFileHost>>;
  let base: string;

  before(async () => {
    documents = await sampleDocuments();
    host = await startFileHost({ '/front.jpg': documents.licenceFront, '/back.png': documents.licenceBack, '/morada.pdf': documents.proofOfAddress });
    base = host.base;
  });
  const system = useTestSystem({ DOCUMENT_URL_ALLOWED_HOSTS: '127.0.0.1', DOCUMENT_URL_TIMEOUT: '1s' });
  after(() => {
    host.close();
  });

  const withUrls = (overrides: Record<string, string> = {}) =>
    flatPayload(documents, { cnh_frente: `${base}/front.jpg`, cnh_verso: `${base}/back.png`, comprovante_morada: `${base}/morada.pdf`, ...overrides });

  it('downloads the files from an allowed host and registers the driver', async () => {
    const sut = system();
    const created = await sut.call('POST', '/drivers/register-typebot/', withUrls());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.registration_id as string;
    const registration = await eventually(async () => {
      const { body } = await sut.asReviewer('GET', `/drivers/${id}`);
      return body.status === 'pending_approval' ? body : undefined;
    });
    assert.equal((registration.documents as unknown[]).length, 3);
  });

  for (const [name, url, status] of [
    ['a redirect to a host outside the allowlist', '/redirect-away', 422],
    ['a missing file', '/nada.jpg', 422],
    ['a download slower than the time limit', '/slow.jpg', 422],
    ['a file announced larger than the limit', '/huge.jpg', 413],
  ] as const) {
    it(`refuses ${name} with ${status}`, async () => {
      const sut = system();
      const before = await sut.storedFiles();
      const response = await sut.call('POST', '/drivers/register-typebot/', withUrls({ cnh_frente: `${base}${url}` }));
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.ok('cnh_frente' in (response.body.fields as object));
      assert.deepEqual(await sut.storedFiles(), before, 'nothing new stored');
    });
  }
});
