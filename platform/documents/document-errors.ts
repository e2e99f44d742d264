/**
 * The failures a driver can see when a document is refused: the sentence (domain/texts/documents.ts)
 * as an `AppError` with its HTTP meaning, reported under the document's form field.
 *
 * `label` is the document's name as the driver knows it, e.g. "carta de condução (frente)" or
 * "comprovativo de morada" (see `documentLabel` in the domain).
 */
import { AppError, ErrorType } from '../../domain/errors.ts';
import { documentContentErrors } from '../../domain/texts/documents.ts';

function refuse(type: ErrorType, field: string, message: string): AppError {
  return new AppError(type, message, { [field]: message });
}

export function tooLarge(label: string, field: string, bytes: number, maxBytes: number): AppError {
  return refuse(ErrorType.PayloadTooLarge, field, documentContentErrors.tooLarge(label, bytes, maxBytes));
}

export function emptyFile(label: string, field: string): AppError {
  return refuse(ErrorType.UnsupportedMediaType, field, documentContentErrors.empty(label));
}

export function unsupportedType(label: string, field: string): AppError {
  return refuse(ErrorType.UnsupportedMediaType, field, documentContentErrors.unsupportedType(label));
}

export function typeMismatch(label: string, field: string, declared: string, actual: string): AppError {
  return refuse(ErrorType.UnsupportedMediaType, field, documentContentErrors.typeMismatch(label, declared, actual));
}

export function notAnImage(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field, documentContentErrors.notAnImage(label));
}

export function tooManyPixels(label: string, field: string, maxPixels: number): AppError {
  return refuse(ErrorType.DocumentUnreadable, field, documentContentErrors.tooManyPixels(label, maxPixels));
}

export function notAPdf(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field, documentContentErrors.notAPdf(label));
}

export function pdfWithoutPages(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field, documentContentErrors.pdfWithoutPages(label));
}

export function pdfTooComplex(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field, documentContentErrors.tooComplex(label));
}

export function checkTimedOut(label: string, field: string): AppError {
  return refuse(ErrorType.DocumentUnreadable, field, documentContentErrors.checkTimedOut(label));
}
