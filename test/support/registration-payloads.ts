import { randomInt } from 'node:crypto';
import { makeJpeg, makePdf, makePng } from '../fixtures/documents.ts';

/** A valid natural-person NIF (prefix 2), different on every call. */
export function randomNif(): string {
  const body = `2${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (9 - index), 0);
  const check = 11 - (sum % 11);
  return `${body}${check >= 10 ? 0 : check}`;
}

/** A Portuguese mobile number as a driver would type it: "912 345 678". */
export function randomMobile(): string {
  const digits = `91${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

export const dataUrl = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;

export interface SampleDocuments {
  licenceFront: Buffer;
  licenceBack: Buffer;
  proofOfAddress: Buffer;
}

/** Real files: two photos (one with EXIF orientation and GPS) and a one-page PDF. */
export async function sampleDocuments(): Promise<SampleDocuments> {
  return {
    licenceFront: await makeJpeg({ width: 640, height: 400, exifOrientation: 6, withGps: true }),
    licenceBack: await makePng({ width: 640, height: 400 }),
    proofOfAddress: await makePdf({ pages: 1 }),
  };
}

/** The flat shape (a custom body in Typebot's HTTP Request block). */
export function flatPayload(documents: SampleDocuments, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nome_completo: 'Rui Manuel Almeida',
    nif: randomNif(),
    telefone: randomMobile(),
    email: 'rui.almeida@example.pt',
    morada: 'Rua das Flores, 12, 3.º Esq.',
    codigo_postal: '4050-262',
    cidade: 'Porto',
    cnh_frente: dataUrl('image/jpeg', documents.licenceFront),
    cnh_verso: dataUrl('image/png', documents.licenceBack),
    comprovante_morada: dataUrl('application/pdf', documents.proofOfAddress),
    submittedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** The seed's shape: `{"variables": [{"name", "value"}]}`. */
export function variablesPayload(flat: Record<string, unknown>): { variables: Array<{ id: string; name: string; value: unknown }> } {
  return { variables: Object.entries(flat).map(([name, value], index) => ({ id: `v${index}`, name, value })) };
}

/** The correction code a correction request sent the driver on WhatsApp (`ABCD-2345`). */
export function correctionCodeIn(message: string): string {
  const found = /código de correção ([A-Z2-9]{4}-[A-Z2-9]{4})/u.exec(message);
  if (found === null) throw new Error(`No correction code in: ${message}`);
  return found[1]!;
}
