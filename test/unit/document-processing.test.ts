import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { inspectDocument } from '../../platform/documents/inspect-document.ts';
import { processDocument } from '../../platform/documents/process-document.ts';
import {
  gpsMarker, heicWithGps, makeJpeg, makePdf, makePhotoLikeJpeg, makePng, makeWebp,
} from '../fixtures/documents.ts';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
}

function assertRed([r, g, b]: number[]): void {
  assert.ok(r! > 200 && g! < 60 && b! < 60, `expected red, got ${[r, g, b].join(',')}`);
}

describe('processDocument', () => {
  it('turns a phone JPEG upright and removes its EXIF, GPS and XMP', async () => {
    const original = await makeJpeg({ width: 400, height: 300, exifOrientation: 6, withGps: true });
    const before = await sharp(original).metadata();
    assert.ok(before.orientation === 6 && before.exif?.includes(gpsMarker) && before.xmp, 'fixture carries metadata');

    const processed = await processDocument(original, 'image/jpeg');
    const after = await sharp(processed.bytes).metadata();
    assert.equal(processed.mime, 'image/jpeg');
    assert.deepEqual([processed.width, processed.height, after.width, after.height], [300, 400, 300, 400]);
    assert.equal(after.exif, undefined);
    assert.equal(after.xmp, undefined);
    assert.equal(after.iptc, undefined);
    assert.equal(after.orientation, undefined);
    assert.equal(processed.bytes.includes(gpsMarker), false);
    // Orientation 6 means "rotate 90° clockwise to display": the stored top-left block ends top-right.
    assertRed(await pixel(processed.bytes, 290, 10));
    assert.equal(processed.sha256, sha256(processed.bytes));
  });

  it('makes a JPEG thumbnail no larger than the thumbnail size', async () => {
    const processed = await processDocument(await makeJpeg({ width: 1600, height: 1200 }), 'image/jpeg');
    const thumbnail = processed.thumbnail;
    assert.ok(thumbnail);
    assert.deepEqual([thumbnail.mime, thumbnail.width, thumbnail.height], ['image/jpeg', 320, 240]);
    assert.equal((await sharp(thumbnail.bytes).metadata()).format, 'jpeg');
  });

  it('downscales only images larger than the maximum dimension', async () => {
    const large = await processDocument(await makeJpeg({ width: 3000, height: 2000 }), 'image/jpeg', { maxDimension: 1500 });
    assert.deepEqual([large.width, large.height], [1500, 1000]);
    const small = await processDocument(await makeJpeg({ width: 800, height: 600 }), 'image/jpeg', { maxDimension: 1500 });
    assert.deepEqual([small.width, small.height], [800, 600]);
  });

  it('re-encodes PNG (transparency flattened onto white) and WebP as metadata-free JPEG', async () => {
    const png = await processDocument(await makePng({ width: 200, height: 100, transparent: true, withGps: true }), 'image/png');
    assert.equal((await sharp(png.bytes).metadata()).format, 'jpeg');
    const [r, g, b] = await pixel(png.bytes, 190, 90);
    assert.ok(r! > 240 && g! > 240 && b! > 240, 'transparent background becomes white, not black');

    const webp = await processDocument(await makeWebp({ width: 200, height: 100, withGps: true }), 'image/webp');
    const metadata = await sharp(webp.bytes).metadata();
    assert.deepEqual([webp.mime, metadata.format, metadata.exif, metadata.xmp], ['image/jpeg', 'jpeg', undefined, undefined]);
  });

  it('keeps a PDF byte for byte, with its SHA-256 and no thumbnail', async () => {
    const pdf = await makePdf({ pages: 2 });
    const processed = await processDocument(pdf, 'application/pdf');
    assert.ok(processed.bytes.equals(pdf));
    assert.equal(processed.sha256, sha256(pdf));
    assert.deepEqual([processed.mime, processed.thumbnail], ['application/pdf', undefined]);
  });

  it('stores an HEVC HEIC as a JPEG without its GPS position, with a thumbnail', async () => {
    const heic = heicWithGps();
    assert.ok((await sharp(heic).metadata()).exif?.includes(gpsMarker), 'fixture carries GPS');
    const processed = await processDocument(heic, 'image/heic');
    assert.deepEqual([processed.mime, processed.width, processed.height, processed.sha256], ['image/jpeg', 64, 48, sha256(processed.bytes)]);
    assert.equal(processed.bytes.includes(gpsMarker), false, 'no GPS');
    const metadata = await sharp(processed.bytes).metadata();
    assert.deepEqual([metadata.exif, metadata.xmp], [undefined, undefined]);
    assertRed(await pixel(processed.bytes, 2, 2));
    assert.equal(processed.thumbnail?.mime, 'image/jpeg');
  });

  // How long this takes is measured by bench/registration (sharp_ceiling_registrations_per_second),
  // not asserted here: a wall-clock limit fails on a loaded machine without saying anything about the code.
  it('inspects and processes a 2 MB phone photo down to 2560 px on its long side', async () => {
    const photo = await makePhotoLikeJpeg(2_000_000);
    const inspected = await inspectDocument(photo, 'carta de condução (verso)', 'licenceBack');
    assert.ok(Math.max(inspected.width!, inspected.height!) > 2560, `the fixture is larger than the limit: ${inspected.width}x${inspected.height}`);
    const processed = await processDocument(photo, 'image/jpeg');
    assert.equal(Math.max(processed.width!, processed.height!), 2560);
  });
});
