import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { documentContentErrors } from '../../domain/texts/documents.ts';
import { createDocumentChecks } from '../../platform/documents/document-checks.ts';
import { defaultDocumentLimits } from '../../platform/documents/inspect-document.ts';
import { makeJpeg, makeObjectStreamFlood, makePdf } from '../fixtures/documents.ts';

const proof = 'comprovativo de morada';

function refusedWith(message: string, field = 'comprovante_morada') {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.type, ErrorType.DocumentUnreadable);
    assert.equal(error.status, 422);
    assert.equal(error.message, message);
    assert.deepEqual(error.fields, { [field]: message });
    return true;
  };
}

describe('document checks in worker threads', () => {
  const checks = createDocumentChecks({ threads: 1, timeoutMs: 10_000 });
  after(() => checks.close());

  it('inspects in a worker thread what inspectDocument would, and hashes the bytes', async () => {
    const pdf = await makePdf({ pages: 2 });
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    assert.deepEqual(await checks.inspect(pdf, proof, 'comprovante_morada', defaultDocumentLimits), { mime: 'application/pdf', bytes: pdf.length, pages: 2, sha256: sha256(pdf) });
    const jpeg = await makeJpeg({ width: 300, height: 200 });
    assert.deepEqual(await checks.inspect(jpeg, 'carta', 'cnh_frente', defaultDocumentLimits), { mime: 'image/jpeg', bytes: jpeg.length, width: 300, height: 200, sha256: sha256(jpeg) });
  });

  it('checks the same bytes once: a second inspection of a file that passed is answered from memory; a refused one is checked every time', async () => {
    const before = checks.counts();
    const jpeg = await makeJpeg({ width: 320, height: 240 });
    const first = await checks.inspect(jpeg, 'carta de condução (frente)', 'cnh_frente', defaultDocumentLimits);
    const again = await checks.inspect(Buffer.from(jpeg), 'carta de condução (frente)', 'cnh_frente', defaultDocumentLimits);
    assert.deepEqual(again, first);
    assert.deepEqual(checks.counts(), { checked: before.checked + 1, remembered: before.remembered + 1 });
    const stricter = await checks.inspect(jpeg, 'carta de condução (frente)', 'cnh_frente', { ...defaultDocumentLimits, maxPixels: 100_000 });
    assert.deepEqual(stricter, first, 'other limits: checked again (and still passes)');
    assert.equal(checks.counts().checked, before.checked + 2);
    const flood = makeObjectStreamFlood(1024 * 1024, { streams: 'closed', pages: 1 });
    for (let round = 0; round < 2; round++) await assert.rejects(checks.inspect(flood, proof, 'comprovante_morada', defaultDocumentLimits));
    assert.deepEqual(checks.counts(), { checked: before.checked + 4, remembered: before.remembered + 1 });
  });

  it('brings a refusal back as the same pt-PT AppError, the PDF over the object-stream limit included', async () => {
    const flood = makeObjectStreamFlood(5 * 1024 * 1024, { streams: 'closed', pages: 1 });
    await assert.rejects(checks.inspect(flood, proof, 'comprovante_morada', defaultDocumentLimits), refusedWith(documentContentErrors.tooComplex(proof)));
  });

  it('stops a check that outruns its time limit, refuses the file with a 422, and keeps checking others', async () => {
    const impatient = createDocumentChecks({ threads: 1, timeoutMs: 1 });
    try {
      const flood = makeObjectStreamFlood(8 * 1024 * 1024, { streams: 'open' });
      await assert.rejects(impatient.inspect(flood, proof, 'comprovante_morada', defaultDocumentLimits), refusedWith(documentContentErrors.checkTimedOut(proof)));
      // Its thread was terminated; the next check gets a new one (and fails only for the same reason).
      await assert.rejects(impatient.inspect(flood, proof, 'comprovante_morada', defaultDocumentLimits), refusedWith(documentContentErrors.checkTimedOut(proof)));
    } finally {
      await impatient.close();
    }
    const pdf = await makePdf({ pages: 1 });
    assert.equal((await checks.inspect(pdf, proof, 'comprovante_morada', defaultDocumentLimits)).pages, 1);
  });
});
