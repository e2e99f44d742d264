/**
 * The failures a driver can see when a document is refused, in European Portuguese.
 *
 * `label` is the document's name as the driver knows it, e.g. "carta de condução (frente)" or
 * "comprovativo de morada" (see `documentLabel` in the domain). It is quoted after "O ficheiro",
 * so every adjective agrees with "ficheiro" whatever the label's gender.
 */
import { AppError, ErrorType } from '../../domain/errors.ts';

const oneMegabyte = 1024 * 1024;
const decimal = new Intl.NumberFormat('pt-PT', { maximumFractionDigits: 1 });

function megabytes(bytes: number): string {
  return decimal.format(bytes / oneMegabyte);
}

function refuse(type: ErrorType, field: string, message: string): AppError {
  return new AppError(type, message, { [field]: message });
}

export function tooLarge(label: string, field: string, bytes: number, maxBytes: number): AppError {
  return refuse(ErrorType.PayloadTooLarge, field,
    `O ficheiro «${label}» é demasiado grande (${megabytes(bytes)} MB). O limite é de ${megabytes(maxBytes)} MB por ficheiro.`);
}

export function emptyFile(label: string, field: string): AppError {
  return refuse(ErrorType.UnsupportedMediaType, field, `O ficheiro «${label}» chegou vazio. Envie-o novamente.`);
}

export function unsupportedType(label: string, field: string): AppError {
  return refuse(ErrorType.UnsupportedMediaType, field,
    `O ficheiro «${label}» não está num formato aceite. Envie uma fotografia (JPEG, PNG, WebP ou HEIC) ou um PDF.`);
}

export function notAnImage(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field,
    `O ficheiro «${label}» não é uma imagem válida. Tire uma nova fotografia e envie-a novamente.`);
}

export function tooManyPixels(label: string, field: string, maxPixels: number): AppError {
  return refuse(ErrorType.DocumentUnreadable, field,
    `O ficheiro «${label}» tem uma resolução demasiado elevada (máximo de ${decimal.format(maxPixels / 1_000_000)} megapíxeis). `
    + 'Envie uma fotografia com menor resolução.');
}

export function notAPdf(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field,
    `O ficheiro «${label}» não é um PDF válido (pode ter chegado incompleto). Envie-o novamente.`);
}

export function pdfWithoutPages(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field, `O ficheiro «${label}» é um PDF sem páginas legíveis. Envie outro ficheiro.`);
}
