import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { defaultDocumentLimits, inspectDocument } from '../../platform/documents/inspect-document.ts';
import {
  heicWithGps, makeDecompressionBombPng, makeHeicContainer, makeJpeg, makePdf, makePng, makeWebp,
} from '../fixtures/documents.ts';

const licenceFront = 'carta de condução (frente)';
const proofOfAddress = 'comprovativo de morada';

const inspect = (bytes: Buffer, label = licenceFront, field = 'licenceFront') =>
  inspectDocument(bytes, label, field, defaultDocumentLimits);

function refusedWith(type: ErrorType, field = 'licenceFront') {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.type, type);
    assert.deepEqual(Object.keys(error.fields), [field]);
    assert.equal(error.fields[field], error.message);
    return true;
  };
}

describe('inspectDocument', () => {
  it('accepts a JPEG and reports its size as displayed, after EXIF orientation', async () => {
    const jpeg = await makeJpeg({ width: 400, height: 300, exifOrientation: 6 });
    assert.deepEqual(await inspect(jpeg), { mime: 'image/jpeg', bytes: jpeg.length, width: 300, height: 400 });
  });

  it('accepts PNG and WebP photographs', async () => {
    assert.equal((await inspect(await makePng({ width: 64, height: 48 }))).mime, 'image/png');
    assert.equal((await inspect(await makeWebp({ width: 64, height: 48 }))).mime, 'image/webp');
  });

  it('types by magic bytes: a PNG sent as the proof of address (claimed PDF) is a PNG', async () => {
    const inspected = await inspect(await makePng({ width: 64, height: 48 }), proofOfAddress, 'proofOfAddress');
    assert.equal(inspected.mime, 'image/png');
  });

  it('accepts a PDF and counts its pages, in object streams or not', async () => {
    const packed = await makePdf({ pages: 3 });
    assert.deepEqual(await inspect(packed, proofOfAddress), { mime: 'application/pdf', bytes: packed.length, pages: 3 });
    assert.equal((await inspect(await makePdf({ pages: 2, objectStreams: false }), proofOfAddress)).pages, 2);
  });

  it('refuses a PDF without readable pages, unless it is encrypted (pages then uncounted)', async () => {
    const pdf = await makePdf({ pages: 2 });
    const text = pdf.toString('latin1');
    for (const match of text.matchAll(/\/Type \/ObjStm/g)) {
      pdf.fill(0xff, text.indexOf('stream', match.index) + 8, text.indexOf('stream', match.index) + 40);
    }
    await assert.rejects(inspect(pdf, proofOfAddress, 'proofOfAddress'), (error: unknown) =>
      refusedWith(ErrorType.DocumentUnreadable, 'proofOfAddress')(error) && /sem páginas/.test(String(error)));
    const encrypted = Buffer.concat([Buffer.from('%PDF-1.7\n% /Encrypt 9 0 R\n', 'latin1'), pdf.subarray(9)]);
    assert.deepEqual(await inspect(encrypted, proofOfAddress), { mime: 'application/pdf', bytes: encrypted.length, pages: undefined });
  });

  it('refuses a truncated PDF as unreadable', async () => {
    const pdf = await makePdf({ pages: 1 });
    await assert.rejects(inspect(pdf.subarray(0, pdf.length - 200)), refusedWith(ErrorType.DocumentUnreadable));
  });

  it('refuses text, SVG, GIF, ZIP, EXE, AVIF and empty files with 415', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer();
    const avif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).avif().toBuffer();
    const zip = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), Buffer.alloc(40)]);
    const exe = Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(200)]);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>');
    for (const bytes of [Buffer.from('Rua das Flores 12, Porto'), svg, gif, zip, exe, avif, Buffer.alloc(0)]) {
      await assert.rejects(inspect(bytes), (error: unknown) => {
        assert.ok(refusedWith(ErrorType.UnsupportedMediaType)(error) && error instanceof AppError);
        assert.equal(error.status, 415);
        return true;
      });
    }
  });

  it('refuses 20 MB with 413 under the default limits, naming the document in Portuguese', async () => {
    await assert.rejects(inspect(Buffer.alloc(20 * 1024 * 1024)), (error: unknown) => {
      assert.ok(refusedWith(ErrorType.PayloadTooLarge)(error) && error instanceof AppError);
      assert.equal(error.status, 413);
      assert.equal(error.message,
        'O ficheiro «carta de condução (frente)» é demasiado grande (20 MB). O limite é de 10 MB por ficheiro.');
      return true;
    });
  });

  // Refused for its declared resolution, which is read from the header before any pixel is decoded.
  // (How fast is for bench/registration: a wall-clock limit here fails on a loaded machine.)
  it('refuses a decompression bomb, without allocating its pixels', async () => {
    const bomb = makeDecompressionBombPng();
    await assert.rejects(inspect(bomb), (error: unknown) => refusedWith(ErrorType.DocumentUnreadable)(error) && /resolução demasiado elevada/.test(String(error)));
  });

  it('refuses an image over the pixel limit with a message about its resolution', async () => {
    const png = await makePng({ width: 200, height: 100 });
    await assert.rejects(inspectDocument(png, licenceFront, 'licenceFront', { maxBytes: 1e6, maxPixels: 10_000 }),
      (error: unknown) => refusedWith(ErrorType.DocumentUnreadable)(error) && /resolução/.test(String(error)));
  });

  it('refuses a truncated JPEG as not a valid image', async () => {
    const jpeg = await makeJpeg({ width: 400, height: 300 });
    await assert.rejects(inspect(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))), (error: unknown) => {
      assert.ok(refusedWith(ErrorType.DocumentUnreadable)(error) && error instanceof AppError);
      assert.equal(error.status, 422);
      assert.equal(error.message,
        'O ficheiro «carta de condução (frente)» não é uma imagem válida. Tire uma nova fotografia e envie-a novamente.');
      return true;
    });
  });

  it('accepts an HEVC HEIC (an iPhone photo), decoding its pixels, with its size', async () => {
    const heic = heicWithGps();
    assert.deepEqual(await inspect(heic), { mime: 'image/heic', bytes: heic.length, width: 64, height: 48 });
  });

  it('accepts HEIC whose major brand is mif1 with heic among the compatible brands', async () => {
    const heic = heicWithGps();
    heic.write('mif1', 8, 'latin1');
    assert.equal((await inspect(heic)).mime, 'image/heic');
  });

  it('refuses a HEIC whose coded pixels do not decode', async () => {
    await assert.rejects(inspect(makeHeicContainer({ width: 640, height: 480 })), refusedWith(ErrorType.DocumentUnreadable));
  });

  it('refuses a truncated HEIC and one declaring too many pixels', async () => {
    const heic = makeHeicContainer({ width: 4032, height: 3024 });
    await assert.rejects(inspect(heic.subarray(0, heic.length - 100)), refusedWith(ErrorType.DocumentUnreadable));
    await assert.rejects(inspect(makeHeicContainer({ width: 20_000, height: 20_000 })), refusedWith(ErrorType.DocumentUnreadable));
  });
});
