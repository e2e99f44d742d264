import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPdfStructure, defaultPdfLimits } from '../../platform/documents/pdf-structure.ts';
import { makeObjectStreamFlood, makePdf } from '../fixtures/documents.ts';

const small = 160 * 1024;
const large = 5 * 1024 * 1024;

describe('checkPdfStructure', () => {
  // A few passes over the bytes (the page count, the object streams, the /Encrypt look-up), never one per marker.
  it('checks 160 KB and 5 MB of repeated open object streams in one pass: work grows with the size, not its square', () => {
    const [a, b] = [makeObjectStreamFlood(small, { streams: 'open' }), makeObjectStreamFlood(large, { streams: 'open' })];
    const [checkA, checkB] = [checkPdfStructure(a), checkPdfStructure(b)];
    // No page anywhere: refused either way, and the one long stream was inflated (and failed) once.
    assert.deepEqual([checkA.ok, checkB.ok], [false, false]);
    for (const [bytes, check] of [[a, checkA], [b, checkB]] as const) {
      assert.ok(check.work.scanned <= 4 * bytes.length, `${check.work.scanned} characters scanned for ${bytes.length} bytes`);
      assert.equal(check.work.objectStreams, 1);
    }
    const sizeRatio = b.length / a.length;
    const workRatio = checkB.work.scanned / checkA.work.scanned;
    assert.ok(workRatio <= sizeRatio * 1.1, `${sizeRatio.toFixed(1)}x the size cost ${workRatio.toFixed(1)}x the work`);
  });

  it('refuses a file with more object streams than the limit, after looking at no more than that', () => {
    for (const size of [small, large]) {
      const flood = makeObjectStreamFlood(size, { streams: 'closed', pages: 1 });
      const check = checkPdfStructure(flood);
      assert.equal(check.ok, false);
      assert.equal(!check.ok && check.reason, 'limits');
      assert.equal(check.work.objectStreams, defaultPdfLimits.maxObjectStreams + 1);
      assert.ok(check.work.scanned <= 4 * flood.length);
    }
  });

  it('accepts object streams up to the limit, with the pages outside them counted', () => {
    const flood = makeObjectStreamFlood(6 * 1024, { streams: 'closed', pages: 2 });
    const check = checkPdfStructure(flood);
    assert.deepEqual({ ok: check.ok, pages: check.ok && check.pages }, { ok: true, pages: 2 });
    assert.ok(check.work.objectStreams > 150 && check.work.objectStreams <= defaultPdfLimits.maxObjectStreams, `${check.work.objectStreams} streams`);
  });

  it('refuses a file whose object streams inflate beyond the budget', async () => {
    const pdf = await makePdf({ pages: 40 });
    const check = checkPdfStructure(pdf, { ...defaultPdfLimits, maxInflatedBytes: 1024 });
    assert.equal(!check.ok && check.reason, 'limits');
    assert.ok(check.work.inflated <= 1024);
    const within = checkPdfStructure(pdf);
    assert.equal(within.ok && within.pages, 40);
    assert.ok(within.work.inflated > 1024 && within.work.objectStreams >= 1);
  });
});
