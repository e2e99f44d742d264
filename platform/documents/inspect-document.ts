/**
 * Decides what an uploaded document really is, from its bytes only: never from a file name,
 * a URL or a MIME type claimed by the sender. Images must decode within a pixel budget,
 * PDFs must be structurally complete. Refusals are `AppError`s with a pt-PT message.
 */
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import type { FormatEnum, Metadata } from 'sharp';
import * as refuse from './document-errors.ts';
import { canDecodeHeic, hasCompleteBoxes, hasHeicBrand } from './heic-support.ts';
import { heicPixels } from './heic-pixels.ts';
import { checkPdfStructure } from './pdf-structure.ts';

export const allowedDocumentMimes = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'] as const;
export type DocumentMime = (typeof allowedDocumentMimes)[number];
type ImageMime = Exclude<DocumentMime, 'application/pdf'>;

export interface DocumentLimits {
  maxBytes: number;
  /** Width x height as declared in the image header, checked before any pixel is decoded. */
  maxPixels: number;
}

export const defaultDocumentLimits: DocumentLimits = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };

export interface InspectedDocument {
  mime: DocumentMime;
  bytes: number;
  /** As displayed, after EXIF/HEIF orientation. */
  width?: number;
  height?: number;
  /** PDFs only; absent when it cannot be counted cheaply (encrypted object streams). */
  pages?: number;
}

const decoderFormat: Record<ImageMime, keyof FormatEnum> = {
  'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp', 'image/heic': 'heif',
};

export async function inspectDocument(
  bytes: Buffer, label: string, field: string, limits: DocumentLimits = defaultDocumentLimits,
): Promise<InspectedDocument> {
  if (bytes.length > limits.maxBytes) throw refuse.tooLarge(label, field, bytes.length, limits.maxBytes);
  if (bytes.length === 0) throw refuse.emptyFile(label, field);
  const mime = await detectMime(bytes);
  if (!mime) throw refuse.unsupportedType(label, field);
  if (mime !== 'application/pdf') return inspectImage(bytes, mime, label, field, limits);

  const pdf = checkPdfStructure(bytes);
  if (pdf.ok) return { mime, bytes: bytes.length, pages: pdf.pages };
  if (pdf.reason === 'limits') throw refuse.pdfTooComplex(label, field);
  throw pdf.reason === 'no-pages' ? refuse.pdfWithoutPages(label, field) : refuse.notAPdf(label, field);
}

async function detectMime(bytes: Buffer): Promise<DocumentMime | undefined> {
  const detected = (await fileTypeFromBuffer(bytes))?.mime;
  // Some phones write HEIC with major brand `mif1` (file-type: image/heif) and `heic` as compatible brand.
  if (detected === 'image/heif' && hasHeicBrand(bytes)) return 'image/heic';
  return allowedDocumentMimes.find((mime) => mime === detected);
}

async function inspectImage(
  bytes: Buffer, mime: ImageMime, label: string, field: string, limits: DocumentLimits,
): Promise<InspectedDocument> {
  if (mime === 'image/heic' && !hasCompleteBoxes(bytes)) throw refuse.notAnImage(label, field);
  const options = { limitInputPixels: limits.maxPixels, failOn: 'error' } as const;
  let metadata: Metadata;
  try {
    // Header only: refuses an oversized declaration (decompression bomb) before allocating pixels.
    metadata = await sharp(bytes, options).metadata();
  } catch (error) {
    throw exceedsPixelLimit(error) ? refuse.tooManyPixels(label, field, limits.maxPixels) : refuse.notAnImage(label, field);
  }
  if (metadata.format !== decoderFormat[mime]) throw refuse.notAnImage(label, field);
  const { width, height } = metadata.autoOrient;
  if (width * height > limits.maxPixels) throw refuse.tooManyPixels(label, field, limits.maxPixels);
  const inspected: InspectedDocument = { mime, bytes: bytes.length, width, height };

  try {
    // HEVC HEIC, which this sharp build cannot decode: every pixel decoded in WebAssembly instead.
    if (mime === 'image/heic' && metadata.compression === 'hevc' && !canDecodeHeic()) {
      await (await heicPixels(bytes, limits.maxPixels)).resize(32, 32, { fit: 'inside' }).raw().toBuffer();
      return inspected;
    }
    // Decodes every pixel (JPEG at 1/8 scale, which still reads all the entropy-coded data),
    // so truncated or corrupt data fails here; the output is a few hundred bytes.
    await sharp(bytes, options).resize(32, 32, { fit: 'inside' }).raw().toBuffer();
  } catch {
    throw refuse.notAnImage(label, field);
  }
  return inspected;
}

function exceedsPixelLimit(error: unknown): boolean {
  return error instanceof Error && error.message.includes('exceeds pixel limit');
}
