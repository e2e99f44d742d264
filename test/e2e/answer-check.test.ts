import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { documentContentErrors, documentLabels } from '../../domain/texts/documents.ts';
import { answerCheckErrors, nameErrors, nifErrors, postalCodeErrors } from '../../domain/texts/intake.ts';
import { startFileHost } from '../support/file-host.ts';
import { flatPayload, randomMobile, randomNif, sampleDocuments } from '../support/registration-payloads.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';

/**
 * Each answer checked as the driver gives it (`POST /drivers/validate-typebot/`): the intake's own
 * validators, the normalised value back, a pt-PT sentence for the flow to re-ask with; documents
 * fetched from Typebot's storage and checked by their bytes. Nothing is stored.
 */
describe('the answer check the registration flow calls after each answer', () => {
  const secret = 'segredo-do-typebot-para-testes';
  let sut: TestSystem;
  let files: Awaited<ReturnType<typeof startFileHost>>;

  before(async () => {
    const documents = await sampleDocuments();
    files = await startFileHost({
      '/frente.jpg': documents.licenceFront,
      '/morada.pdf': documents.proofOfAddress,
      '/corrompida.jpg': Buffer.concat([documents.licenceFront.subarray(0, 200), Buffer.alloc(2000, 0x41)]),
      '/video.mp4': Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(4000, 1)]),
      '/grande.pdf': Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(11 * 1024 * 1024, 0x20)]),
    });
    sut = await startTestSystem({ INTAKE_SHARED_SECRET: secret, DOCUMENT_URL_ALLOWED_HOSTS: '127.0.0.1', DOCUMENT_MAX_MB: '10' });
  });
  after(async () => {
    files.close();
    await sut.stop();
  });

  const check = (campo: string, valor: unknown, headers: Record<string, string> = { 'x-intake-token': secret }) =>
    sut.call('POST', '/drivers/validate-typebot/', { campo, valor, sessao_conversa: 'sessao-de-teste' }, headers);

  for (const [campo, valor, erro] of [
    ['nome_completo', 'Rui', nameErrors.oneWord],
    ['nome_completo', '1', nameErrors.digits],
    ['nif', '256 789 123', nifErrors.checkDigit],
    ['nif', '501 234 560', nifErrors.notPerson],
    ['nif', 'PT123456789', nifErrors.letters],
    ['codigo_postal', '12345', postalCodeErrors.format],
  ] as const) {
    it(`refuses ${campo} «${valor}» with the intake's sentence`, async () => {
      const answer = await check(campo, valor);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { valido: false, valor: '', erro });
    });
  }

  for (const [campo, valor, normalised] of [
    ['nome_completo', '  Rui   Almeida ', 'Rui Almeida'],
    ['nif', '123 456 789', '123456789'],
    ['telefone', '912 345 678', '+351912345678'],
    ['codigo_postal', '4050262', '4050-262'],
    ['email', 'Rui@Exemplo.PT', 'Rui@exemplo.pt'],
  ] as const) {
    it(`accepts ${campo} «${valor}» and gives it back normalised`, async () => {
      const answer = await check(campo, valor);
      assert.deepEqual(answer.body, { valido: true, valor: normalised, erro: '' });
    });
  }

  it('accepts a readable photo and a PDF from Typebot\'s storage, keeping their addresses', async () => {
    const photo = await check('cnh_frente', `${files.base}/frente.jpg`);
    assert.deepEqual(photo.body, { valido: true, valor: `${files.base}/frente.jpg`, erro: '' });
    const pdf = await check('comprovante_morada', `${files.base}/morada.pdf`);
    assert.deepEqual(pdf.body, { valido: true, valor: `${files.base}/morada.pdf`, erro: '' });
  });

  for (const [name, path, erro] of [
    ['a photo that does not open', '/corrompida.jpg', documentContentErrors.notAnImage(documentLabels.licence_front)],
    ['a video', '/video.mp4', documentContentErrors.unsupportedType(documentLabels.licence_front)],
  ] as const) {
    it(`asks again for ${name}, saying why`, async () => {
      const answer = await check('cnh_frente', `${files.base}${path}`);
      assert.deepEqual(answer.body, { valido: false, valor: '', erro });
    });
  }

  it('asks again for a file over DOCUMENT_MAX_MB, saying the limit', async () => {
    const answer = await check('cnh_frente', `${files.base}/grande.pdf`);
    assert.equal(answer.body.valido, false);
    assert.match(String(answer.body.erro), /demasiado grande .* O limite é de 10 MB/);
  });

  it('refuses a field the form does not have (400), and a caller without the secret (401)', async () => {
    const unknown = await check('iban', 'PT50 0000');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.fields, { campo: answerCheckErrors.unknownField });
    const stranger = await check('nif', '123456789', {});
    assert.equal(stranger.status, 401);
  });

  it('does not check a document again when the registration is submitted with the bytes it checked', async () => {
    const metric = async (outcome: string) => {
      const values = (await sut.system.metrics.getSingleMetric('api_document_checks_total')!.get()).values;
      return values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
    };
    const documents = await sampleDocuments();
    const urls = { cnh_frente: `${files.base}/frente.jpg`, comprovante_morada: `${files.base}/morada.pdf` };
    for (const [campo, url] of Object.entries(urls)) assert.equal((await check(campo, url)).body.valido, true);
    const [checkedBefore, rememberedBefore] = [await metric('checked'), await metric('remembered')];
    const submitted = await sut.call('POST', '/drivers/register-typebot/', flatPayload(documents, { nif: randomNif(), telefone: randomMobile(), ...urls }), { 'x-intake-token': secret });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    assert.equal(await metric('remembered'), rememberedBefore + 2, 'the two documents checked in the dialogue');
    assert.equal(await metric('checked'), checkedBefore + 1, 'only the one sent without a check (the licence back)');
  });

  it('stores nothing', async () => {
    const before = await sut.storedFiles();
    const rowsBefore = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations');
    await check('cnh_frente', `${files.base}/frente.jpg`);
    await check('nif', '123 456 789');
    assert.deepEqual(await sut.storedFiles(), before);
    const rowsAfter = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations');
    assert.deepEqual(rowsAfter.rows, rowsBefore.rows);
  });
});
