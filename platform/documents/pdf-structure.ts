/**
 * A light structural check of a PDF, without a PDF library (pdf-lib is a dev dependency only).
 * It is not a parser or a sanitiser: it refuses files that are obviously not a complete PDF
 * (no header, truncated before %%EOF, no cross-reference pointer, data appended after the last
 * %%EOF, no page) and counts pages.
 *
 * Anyone can send a PDF, so the work is bounded: one forward pass over the bytes (no search ever
 * starts again behind where the previous one stopped), at most `maxObjectStreams` object streams
 * looked at and `maxInflatedBytes` inflated in all. A file that needs more is refused (`limits`):
 * real scans and bank statements stay far below both.
 */
import { constants, inflateSync } from 'node:zlib';

export interface PdfLimits {
  /** `/Type /ObjStm` dictionaries looked at, each one an inflate. */
  maxObjectStreams: number;
  /** Bytes inflated from all object streams together. */
  maxInflatedBytes: number;
}

/**
 * pdf-lib packs ~50 objects per object stream, so a 500-page PDF has ~30 of them; scans and bank
 * statements a handful. Each inflate costs ~0.3 ms however small the stream (zlib's set-up).
 */
export const defaultPdfLimits: PdfLimits = { maxObjectStreams: 200, maxInflatedBytes: 32 * 1024 * 1024 };

/** What the check cost: characters its searches went over, object streams looked at, bytes inflated. */
export interface PdfWork {
  scanned: number;
  objectStreams: number;
  inflated: number;
}

export type PdfCheck =
  | { ok: true; pages?: number; work: PdfWork }
  | { ok: false; reason: 'header' | 'truncated' | 'appended' | 'no-pages' | 'limits'; work: PdfWork };

/** Readers accept %%EOF within the last 1 KB; generators often append a newline or padding. */
const tailWindow = 1024;

export function checkPdfStructure(bytes: Buffer, limits: PdfLimits = defaultPdfLimits): PdfCheck {
  const work: PdfWork = { scanned: 0, objectStreams: 0, inflated: 0 };
  if (!/^%PDF-[12]\.\d/.test(bytes.toString('latin1', 0, 8))) return { ok: false, reason: 'header', work };
  const tail = bytes.toString('latin1', Math.max(0, bytes.length - tailWindow));
  work.scanned += tail.length;
  const pointer = /startxref\s+(\d+)\s+%%EOF/.exec(tail);
  if (!pointer || Number(pointer[1]) >= bytes.length) return { ok: false, reason: 'truncated', work };
  if (!onlyPaddingAfterLastEof(tail)) return { ok: false, reason: 'appended', work };
  if (hasZipDirectoryNearEnd(bytes, work)) return { ok: false, reason: 'appended', work };

  const text = bytes.toString('latin1');
  const direct = countPageObjects(text);
  work.scanned += text.length;
  const packed = countPagesInObjectStreams(bytes, text, limits, work);
  if (packed === 'limits') return { ok: false, reason: 'limits', work };
  const pages = direct + packed;
  if (pages > 0) return { ok: true, pages, work };
  // Encrypted PDFs (often bank statements with an owner password) keep their object streams
  // encrypted, so pages cannot be counted without decrypting; viewers still open them.
  work.scanned += text.length;
  if (/\/Encrypt\s/.test(text)) return { ok: true, work };
  return { ok: false, reason: 'no-pages', work };
}

/**
 * A PDF ends at its last %%EOF (an incremental update appends a section that ends in its own
 * %%EOF, so earlier ones do not count). After it, generators leave at most whitespace or NUL
 * padding; anything else is another file riding along (a ZIP archive makes a PDF/ZIP polyglot,
 * its HTML page served to reviewers with the PDF). `tail` holds the last %%EOF: the pointer
 * look-up found one in it. Bounded by the tail window.
 */
function onlyPaddingAfterLastEof(tail: string): boolean {
  const end = tail.lastIndexOf('%%EOF') + '%%EOF'.length;
  return /^[\t\n\f\r \u0000]*$/.test(tail.slice(end));
}

/** A ZIP's end-of-central-directory record (22 bytes, then a comment of up to 64 KiB). */
const zipDirectoryEnd = Buffer.from('PK\u0005\u0006', 'latin1');
const zipSearchWindow = 22 + 0xffff;

/**
 * Unzip tools find an archive by its end-of-central-directory record within the last 64 KiB, so
 * a ZIP hidden before a forged final `startxref … %%EOF` (or with `%%EOF` as its comment) still
 * opens. A record there, with the fields of a single-disk archive (disk numbers 0, as many entries
 * on the disk as in all, the directory before the record), is a ZIP, not chance bytes of a
 * compressed stream. One search over at most the last 64 KiB.
 */
function hasZipDirectoryNearEnd(bytes: Buffer, work: PdfWork): boolean {
  const from = Math.max(0, bytes.length - zipSearchWindow);
  work.scanned += bytes.length - from;
  for (let at = bytes.indexOf(zipDirectoryEnd, from); at >= 0 && at + 22 <= bytes.length; at = bytes.indexOf(zipDirectoryEnd, at + 1)) {
    const singleDisk = bytes.readUInt16LE(at + 4) === 0 && bytes.readUInt16LE(at + 6) === 0;
    const entries = bytes.readUInt16LE(at + 8) === bytes.readUInt16LE(at + 10);
    const directoryBefore = bytes.readUInt32LE(at + 12) + bytes.readUInt32LE(at + 16) <= at;
    if (singleDisk && entries && directoryBefore) return true;
  }
  return false;
}

/**
 * Counts `/Type /Page` dictionaries (not `/Pages`). Approximate: an incremental update that
 * rewrites a page counts it twice. Good enough to tell "has pages" and to report a number.
 */
function countPageObjects(text: string): number {
  return text.match(/\/Type\s*\/Page(?![A-Za-z0-9])/g)?.length ?? 0;
}

/**
 * PDF 1.5+ (and pdf-lib by default) packs page dictionaries into Flate-compressed object streams.
 * One pass: after a stream, the search for the next marker resumes past its `endstream` (a marker
 * inside compressed data is not a dictionary), and a search that finds nothing ends the pass,
 * since every later search would cover the same ground.
 */
function countPagesInObjectStreams(bytes: Buffer, text: string, limits: PdfLimits, work: PdfWork): number | 'limits' {
  let pages = 0;
  const marker = /\/Type\s*\/ObjStm\b/g;
  let cursor = 0;
  for (;;) {
    marker.lastIndex = cursor;
    const match = marker.exec(text);
    if (match === null) {
      work.scanned += text.length - cursor;
      return pages;
    }
    work.scanned += marker.lastIndex - cursor;
    if (++work.objectStreams > limits.maxObjectStreams) return 'limits';
    const keyword = text.indexOf('stream', marker.lastIndex);
    if (keyword < 0) {
      work.scanned += text.length - marker.lastIndex;
      return pages;
    }
    let start = keyword + 'stream'.length;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;
    const end = text.indexOf('endstream', start);
    work.scanned += (end < 0 ? text.length : end + 'endstream'.length) - marker.lastIndex;
    if (end < 0) return pages;
    cursor = end + 'endstream'.length;

    const budget = limits.maxInflatedBytes - work.inflated;
    let inflated: Buffer;
    try {
      inflated = inflateSync(bytes.subarray(start, end), {
        maxOutputLength: Math.max(1, budget),
        finishFlush: constants.Z_SYNC_FLUSH, // tolerate the EOL before `endstream`
      });
    } catch (error) {
      if (isOverBudget(error)) return 'limits';
      continue; // Not Flate, encrypted or damaged: this stream is not counted.
    }
    work.inflated += inflated.length;
    if (work.inflated >= limits.maxInflatedBytes) return 'limits';
    pages += countPageObjects(inflated.toString('latin1'));
  }
}

function isOverBudget(error: unknown): boolean {
  return error instanceof RangeError || (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}
