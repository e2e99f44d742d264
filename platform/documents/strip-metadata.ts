/**
 * A photo a driver sends in the chat, kept and passed on without what it tells about them beyond its
 * pixels: EXIF (GPS position, camera, time), XMP and IPTC are removed, the pixels turned upright from
 * the EXIF orientation, and the image re-encoded in its own format (JPEG, PNG or WebP) at its own
 * size. A photo that carries none of that is left byte for byte (no re-encoding loss). Other files
 * (video, audio, documents) and images this build cannot decode (HEVC HEIC) are left as they are.
 */
import sharp, { type Metadata } from 'sharp';

const formats = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;

export async function withoutMetadata(bytes: Buffer, contentType: string, maxPixels: number): Promise<Buffer> {
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
