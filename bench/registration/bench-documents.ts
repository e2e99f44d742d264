/**
 * The documents every registration sends: a few distinct ~2 MB phone-like photos and ~300 KB
 * proof-of-address PDFs, written once to a folder so the bench, its children and the sharp
 * ceiling use the very same bytes. Registration `i` picks its three by `documentsOf(i)`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { makePhotoLikeJpeg } from '../../test/fixtures/documents.ts';
import type { BenchSettings } from './bench-settings.ts';

export interface DocumentCounts {
  photos: number;
  pdfs: number;
}

export interface DocumentSet {
  photos: Buffer[];
  pdfs: Buffer[];
}

export interface RegistrationDocuments {
  licenceFront: Buffer;
  licenceBack: Buffer;
  proofOfAddress: Buffer;
}

const photoFile = (dir: string, index: number) => path.join(dir, `photo-${index}.jpg`);
const pdfFile = (dir: string, index: number) => path.join(dir, `proof-of-address-${index}.pdf`);

/**
 * A one-page letter with a scanned-looking photo on it: pdf-lib keeps the JPEG as is (DCTDecode),
 * so the file is about the photo's size and still a real PDF that passes inspection.
 */
async function makeProofOfAddress(targetBytes: number, index: number): Promise<Buffer> {
  const scan = await makePhotoLikeJpeg(Math.max(10_000, targetBytes - 3_000));
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const image = await pdf.embedJpg(scan);
  const page = pdf.addPage([595, 842]);
  page.drawText(`Comprovativo de morada n.º ${index + 1}`, { x: 50, y: 790, size: 14, font });
  const scaled = image.scaleToFit(495, 680);
  page.drawImage(image, { x: 50, y: 760 - scaled.height, width: scaled.width, height: scaled.height });
  return Buffer.from(await pdf.save());
}

/** The documents the bench settings ask for (how many distinct photos and PDFs, how big), under `dir`. */
export const writeBenchDocuments = (dir: string, settings: Pick<BenchSettings, 'BENCH_DISTINCT_PHOTOS' | 'BENCH_DISTINCT_PDFS' | 'BENCH_PHOTO_BYTES' | 'BENCH_PDF_BYTES'>) =>
  writeDocumentSet(dir, { photos: settings.BENCH_DISTINCT_PHOTOS, pdfs: settings.BENCH_DISTINCT_PDFS }, { photoBytes: settings.BENCH_PHOTO_BYTES, pdfBytes: settings.BENCH_PDF_BYTES });

/** Makes the documents (random pixels, so every photo differs) and writes them under `dir`. */
export async function writeDocumentSet(dir: string, counts: DocumentCounts, sizes: { photoBytes: number; pdfBytes: number }): Promise<DocumentSet> {
  const photos: Buffer[] = [];
  for (let i = 0; i < counts.photos; i++) photos.push(await makePhotoLikeJpeg(sizes.photoBytes));
  const pdfs: Buffer[] = [];
  for (let i = 0; i < counts.pdfs; i++) pdfs.push(await makeProofOfAddress(sizes.pdfBytes, i));
  await Promise.all([
    ...photos.map((bytes, i) => writeFile(photoFile(dir, i), bytes)),
    ...pdfs.map((bytes, i) => writeFile(pdfFile(dir, i), bytes)),
  ]);
  return { photos, pdfs };
}

export async function readDocumentSet(dir: string, counts: DocumentCounts): Promise<DocumentSet> {
  const indexes = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    photos: await Promise.all(indexes(counts.photos).map((i) => readFile(photoFile(dir, i)))),
    pdfs: await Promise.all(indexes(counts.pdfs).map((i) => readFile(pdfFile(dir, i)))),
  };
}

/** Front and back are always two different photos; consecutive registrations use different pairs. */
export function documentsOf(set: DocumentSet, registration: number): RegistrationDocuments {
  const pick = <T>(items: T[], index: number): T => items[index % items.length]!;
  return {
    licenceFront: pick(set.photos, 2 * registration),
    licenceBack: pick(set.photos, 2 * registration + 1),
    proofOfAddress: pick(set.pdfs, registration),
  };
}
