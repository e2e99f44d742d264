import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPdfStructure, defaultPdfLimits } from '../../platform/documents/pdf-structure.ts';
import { hostileDocuments, makeObjectStreamFlood, makePdf, makeZip } from '../fixtures/documents.ts';

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

  describe('data after the last %%EOF', () => {
    const zip = () => makeZip({ 'carta.html': hostileDocuments.html() });
    /** `zip` with `comment` as its archive comment (the record's last field, then the comment). */
    const zipWithComment = (comment: string) => {
      const archive = zip();
      archive.writeUInt16LE(comment.length, archive.length - 2);
      return Buffer.concat([archive, Buffer.from(comment, 'latin1')]);
    };
    /** An incremental update: a new object, its cross-reference section and a trailer ending in its own %%EOF. */
    const withUpdate = (pdf: Buffer) => {
      const object = `\n99 0 obj\n<< /Producer (update) >>\nendobj\n`;
      const xref = pdf.length + object.length;
      return Buffer.concat([pdf, Buffer.from(`${object}xref\n99 1\n${String(pdf.length + 1).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 100 >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1')]);
    };
    const verdict = (bytes: Buffer) => {
      const check = checkPdfStructure(bytes);
      return check.ok ? 'ok' : check.reason;
    };

    it('accepts pdf-lib output, with whitespace or NUL padding after %%EOF, and with an incremental update', async () => {
      const pdf = await makePdf({ pages: 2 });
      const classic = await makePdf({ pages: 1, objectStreams: false });
      assert.equal(verdict(pdf), 'ok');
      assert.equal(verdict(classic), 'ok');
      assert.equal(verdict(Buffer.concat([pdf, Buffer.from('\r\n  \t\f'), Buffer.alloc(512)])), 'ok');
      assert.equal(verdict(withUpdate(pdf)), 'ok');
      assert.equal(verdict(withUpdate(classic)), 'ok');
    });

    it('refuses a ZIP appended after the last %%EOF, text after it, and a ZIP hidden before a forged final %%EOF', async () => {
      const pdf = await makePdf({ pages: 1 });
      assert.equal(verdict(await hostileDocuments.pdfWithZip()), 'appended');
      assert.equal(verdict(Buffer.concat([withUpdate(pdf), zip()])), 'appended', 'after an update: only the last %%EOF counts');
      assert.equal(verdict(Buffer.concat([pdf, Buffer.from('<script>alert(1)</script>\n')])), 'appended');
      assert.equal(verdict(Buffer.concat([pdf, zip(), Buffer.from('\nstartxref\n9\n%%EOF\n')])), 'appended', 'a forged trailer after the ZIP');
      assert.equal(verdict(Buffer.concat([pdf, zipWithComment('\nstartxref\n9\n%%EOF\n')])), 'appended', "the trailer as the ZIP's comment");
    });

    it('looks for a ZIP only in the last 64 KiB: a 5 MB file costs a few passes, not more', () => {
      const flood = makeObjectStreamFlood(large, { streams: 'open', pages: 1 });
      const check = checkPdfStructure(flood);
      assert.ok(check.work.scanned <= 4 * flood.length, `${check.work.scanned} characters scanned for ${flood.length} bytes`);
    });
  });
});
