/**
 * A light structural check of a PDF, without a PDF library (pdf-lib is a dev dependency only).
 * It is not a parser or a sanitiser: it refuses files that are obviously not a complete PDF
 * (no header, truncated before %%EOF, no cross-reference pointer, no page) and counts pages.
 */
import { constants, inflateSync } from 'node:zlib';

export type PdfCheck =
  | { ok: true; pages?: number }
  | { ok: false; reason: 'header' | 'truncated' | 'no-pages' };

/** Readers accept %%EOF within the last 1 KB; generators often append a newline or padding. */
const tailWindow = 1024;
const maxInflatedPerStream = 8 * 1024 * 1024;
const maxInflatedTotal = 32 * 1024 * 1024;

export function checkPdfStructure(bytes: Buffer): PdfCheck {
  if (!/^%PDF-[12]\.\d/.test(bytes.toString('latin1', 0, 8))) return { ok: false, reason: 'header' };
  const tail = bytes.toString('latin1', Math.max(0, bytes.length - tailWindow));
  const pointer = /startxref\s+(\d+)\s+%%EOF/.exec(tail);
  if (!pointer || Number(pointer[1]) >= bytes.length) return { ok: false, reason: 'truncated' };

  const text = bytes.toString('latin1');
  const pages = countPageObjects(text) + countPagesInObjectStreams(bytes, text);
  if (pages > 0) return { ok: true, pages };
  // Encrypted PDFs (often bank statements with an owner password) keep their object streams
  // encrypted, so pages cannot be counted without decrypting; viewers still open them.
  if (/\/Encrypt\s/.test(text)) return { ok: true };
  return { ok: false, reason: 'no-pages' };
}

/**
 * Counts `/Type /Page` dictionaries (not `/Pages`). Approximate: an incremental update that
 * rewrites a page counts it twice. Good enough to tell "has pages" and to report a number.
 */
function countPageObjects(text: string): number {
  return text.match(/\/Type\s*\/Page(?![A-Za-z0-9])/g)?.length ?? 0;
}

/** PDF 1.5+ (and pdf-lib by default) packs page dictionaries into Flate-compressed object streams. */
function countPagesInObjectStreams(bytes: Buffer, text: string): number {
  let pages = 0;
  let budget = maxInflatedTotal;
  for (const match of text.matchAll(/\/Type\s*\/ObjStm\b/g)) {
    const keyword = text.indexOf('stream', match.index);
    if (keyword < 0) break;
    let start = keyword + 'stream'.length;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;
    const end = text.indexOf('endstream', start);
    if (end < 0 || budget <= 0) break;
    try {
      const inflated = inflateSync(bytes.subarray(start, end), {
        maxOutputLength: Math.min(maxInflatedPerStream, budget),
        finishFlush: constants.Z_SYNC_FLUSH, // tolerate the EOL before `endstream`
      });
      budget -= inflated.length;
      pages += countPageObjects(inflated.toString('latin1'));
    } catch {
      // Not Flate, encrypted or damaged: this stream is not counted.
    }
  }
  return pages;
}
