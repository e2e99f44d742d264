/**
 * HEIC (iPhone photos) and this sharp build.
 *
 * HEIC images are HEVC-coded. sharp's prebuilt libvips ships libheif with AV1 only (AVIF); HEVC is
 * patent-encumbered and needs a libvips built against libheif + libde265. With the prebuilt build,
 * `sharp(heic).metadata()` works (libheif parses the container) but decoding fails with
 * "Support for this compression format has not been built in: HEVC". libvips advertises `.heic` among
 * the heif loader's suffixes only when an HEVC decoder is present, which is what we probe here.
 *
 * Without one, HEVC HEIC is decoded in WebAssembly instead (heic-pixels.ts).
 */
import sharp from 'sharp';

export function canDecodeHeic(): boolean {
  return sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;
}

/** Brands that mark an HEVC-coded HEIF still image (ISO/IEC 23008-12). */
const heicBrands = new Set(['heic', 'heix', 'heim', 'heis']);

/** ftyp brands (major and compatible) of an ISO-BMFF file, or [] if it does not start with ftyp. */
export function ftypBrands(bytes: Buffer): string[] {
  if (bytes.length < 16 || bytes.toString('latin1', 4, 8) !== 'ftyp') return [];
  const size = bytes.readUInt32BE(0);
  if (size < 16 || size > bytes.length || size % 4 !== 0) return [];
  const brands = [bytes.toString('latin1', 8, 12)];
  for (let at = 16; at < size; at += 4) brands.push(bytes.toString('latin1', at, at + 4));
  return brands;
}

export function hasHeicBrand(bytes: Buffer): boolean {
  return ftypBrands(bytes).some((brand) => heicBrands.has(brand));
}

/**
 * True if the top-level boxes tile the whole buffer exactly and include `meta` and `mdat`
 * (or the item data lives in `idat` inside `meta`). Catches truncated uploads, which libheif's
 * header parser does not notice.
 */
export function hasCompleteBoxes(bytes: Buffer): boolean {
  const seen = new Set<string>();
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 8) return false;
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (size === 1) {
      if (bytes.length - at < 16) return false;
      size = Number(bytes.readBigUInt64BE(at + 8));
    } else if (size === 0) {
      size = bytes.length - at;
    }
    if (size < 8 || at + size > bytes.length) return false;
    seen.add(type);
    at += size;
  }
  return seen.has('ftyp') && seen.has('meta') && (seen.has('mdat') || bytes.includes('idat', 0, 'latin1'));
}
