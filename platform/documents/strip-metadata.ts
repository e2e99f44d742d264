/**
 * A photo a driver sends in the chat, kept and passed on without what it tells about them beyond its
 * pixels: EXIF (GPS position, camera, time), XMP and IPTC are removed, the pixels turned upright from
 * the EXIF orientation, and the image re-encoded in its own format (JPEG, PNG or WebP) at its own
 * size. A photo that carries none of that is left byte for byte (no re-encoding loss). An HEVC HEIC
 * (iPhone), which this sharp build cannot decode, is decoded in WebAssembly and becomes a JPEG (every
 * agent's browser shows one). Other files (video, audio, documents) are left as they are.
 */
import sharp, { type Metadata } from 'sharp';
import { canDecodeHeic } from './heic-support.ts';
import { heicPixels, needsHeicDecoder } from './heic-pixels.ts';

const formats = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;

export interface MediaFile {
  bytes: Buffer;
  contentType: string;
}

export async function withoutMetadata(bytes: Buffer, contentType: string, maxPixels: number): Promise<MediaFile> {
  if (await needsHeicDecoder(bytes, contentType, canDecodeHeic())) {
    const jpeg = await heicPixels(bytes, maxPixels).then((image) => image.jpeg({ quality: 90 }).toBuffer()).catch(() => undefined);
    // One that does not decode is passed on as sent, like any file agents get.
    return jpeg === undefined ? { bytes, contentType } : { bytes: jpeg, contentType: 'image/jpeg' };
  }
  return { bytes: await withoutImageMetadata(bytes, contentType, maxPixels), contentType };
}

async function withoutImageMetadata(bytes: Buffer, contentType: string, maxPixels: number): Promise<Buffer> {
  const format = formats[contentType as keyof typeof formats];
  if (format === undefined) return bytes;
  const decode = { limitInputPixels: maxPixels, failOn: 'error' } as const;
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, decode).metadata();
  } catch {
    return bytes; // not a decodable image: agents get it as sent, as any other file
  }
  const tells = metadata.exif !== undefined || metadata.xmp !== undefined || metadata.iptc !== undefined || (metadata.orientation ?? 1) !== 1;
  if (!tells) return bytes;
  const image = sharp(bytes, { ...decode, autoOrient: true });
  const encoded = format === 'jpeg' ? image.jpeg({ quality: 90 }) : format === 'png' ? image.png() : image.webp({ quality: 90 });
  // A file whose header reads but whose pixels do not: passed on as sent, like any file agents get.
  return encoded.toBuffer().catch(() => bytes);
}
