/**
 * Turns an inspected document into what we store.
 *
 * Images (JPEG, PNG, WebP and HEIC) are rotated upright from their
 * EXIF orientation, stripped of ALL metadata (EXIF with GPS, XMP, IPTC; colours converted to sRGB),
 * flattened onto white, downscaled only if larger than `maxDimension`, and re-encoded as JPEG, with
 * a JPEG thumbnail. One output format because every reviewer's browser shows JPEG, ID photos need
 * no transparency, and a PNG/WebP photo re-encoded as JPEG is smaller and faster to write.
 *
 * PDFs are kept byte for byte (no thumbnail). HEVC HEIC, which this sharp build cannot decode
 * (heic-support.ts), is decoded in WebAssembly first (heic-pixels.ts) and goes the same way.
 *
 * Call `inspectDocument` first; errors from sharp here are unexpected and thrown as they are.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { canDecodeHeic } from './heic-support.ts';
import { heicPixels, needsHeicDecoder } from './heic-pixels.ts';
import { defaultDocumentLimits } from './inspect-document.ts';
import type { DocumentMime } from './inspect-document.ts';

export interface Thumbnail {
  bytes: Buffer;
  mime: 'image/jpeg';
  width: number;
  height: number;
}

export interface ProcessedDocument {
  bytes: Buffer;
  mime: DocumentMime;
  /** Hex SHA-256 of `bytes`, the stored bytes. */
  sha256: string;
  width?: number;
  height?: number;
  thumbnail?: Thumbnail;
}

export interface ProcessingOptions {
  maxPixels?: number;
  /** Longest side of the stored image; larger images are downscaled. */
  maxDimension?: number;
  /** Longest side of the thumbnail. */
  thumbnailSize?: number;
  /** JPEG quality of the stored image, 1–100. */
  quality?: number;
}

const thumbnailQuality = 70;

export async function processDocument(
  bytes: Buffer, mime: DocumentMime, opts: ProcessingOptions = {},
): Promise<ProcessedDocument> {
  const { maxPixels = defaultDocumentLimits.maxPixels, maxDimension = 2560, thumbnailSize = 320, quality = 85 } = opts;
  const decode = { limitInputPixels: maxPixels, failOn: 'error' } as const;
  if (mime === 'application/pdf') return { bytes, mime, sha256: sha256(bytes) };
  const source = (await needsHeicDecoder(bytes, mime, canDecodeHeic())) ? await heicPixels(bytes, maxPixels) : sharp(bytes, { ...decode, autoOrient: true });

  // Without withMetadata()/keep*(), sharp writes no EXIF, XMP, IPTC or ICC and converts to sRGB.
  const stored = await source
    .flatten({ background: '#ffffff' })
    .resize(maxDimension, maxDimension, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality })
    .toBuffer({ resolveWithObject: true });
  // From the stored JPEG rather than a clone of the source: JPEG shrink-on-load makes this a few
  // milliseconds, it matches what is stored, and it measured faster than a second source decode.
  const thumbnail = await sharp(stored.data)
    .resize(thumbnailSize, thumbnailSize, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: thumbnailQuality })
    .toBuffer({ resolveWithObject: true });

  return {
    bytes: stored.data,
    mime: 'image/jpeg',
    sha256: sha256(stored.data),
    width: stored.info.width,
    height: stored.info.height,
    thumbnail: { bytes: thumbnail.data, mime: 'image/jpeg', width: thumbnail.info.width, height: thumbnail.info.height },
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
