/**
 * HEVC HEIC (iPhone photos) decoded in WebAssembly: libheif with its HEVC decoder, through
 * heic-decode, since the prebuilt sharp has none (heic-support.ts). The pixels then go through sharp
 * like any other image, so a HEIC is stored as a JPEG without its metadata (GPS first) and gets a
 * thumbnail. Its size is read from the container and checked against the pixel limit before decoding.
 */
import decodeHeic from 'heic-decode';
import sharp, { type Sharp } from 'sharp';

/** True for an HEIC this sharp build cannot decode itself (HEVC-coded, no HEVC decoder). */
export async function needsHeicDecoder(bytes: Buffer, contentType: string, canDecodeHeic: boolean): Promise<boolean> {
  if (contentType !== 'image/heic' && contentType !== 'image/heif') return false;
  if (canDecodeHeic) return false;
  return (await sharp(bytes).metadata().catch(() => undefined))?.compression === 'hevc';
}

/** The HEIC's primary image, upright (libheif applies its rotation and mirroring), as sharp input. */
export async function heicPixels(bytes: Buffer, maxPixels: number): Promise<Sharp> {
  const { width, height } = await sharp(bytes).metadata();
  if (width === undefined || height === undefined || width * height > maxPixels) throw new RangeError(`HEIC image of ${width ?? '?'}x${height ?? '?'} pixels: no declared size, or over the limit of ${maxPixels}`);
  const image = await decodeHeic({ buffer: bytes });
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return sharp(pixels, { raw: { width: image.width, height: image.height, channels: 4 }, limitInputPixels: maxPixels });
}
