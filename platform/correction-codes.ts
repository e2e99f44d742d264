/**
 * The code a correction request sends the driver on WhatsApp, so a correction from outside the
 * registration's own chat (the public form) proves it comes from the driver. Eight characters
 * from an alphabet without look-alikes (~40 bits), shown as `ABCD-2345`; only its SHA-256 is stored.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const length = 8;

/** A fresh code, as the driver reads it (`ABCD-2345`). */
export function newCorrectionCode(): string {
  const characters = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]);
  return `${characters.slice(0, 4).join('')}-${characters.slice(4).join('')}`;
}

/** What the driver typed, reduced to the code's characters: case, spaces and hyphens do not matter. */
export function normalizeCorrectionCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** The stored form: SHA-256 (hex) of the normalised code. */
export function correctionCodeHash(code: string): string {
  return createHash('sha256').update(normalizeCorrectionCode(code)).digest('hex');
}

/** Whether `typed` is the code whose hash is stored, compared in constant time. */
export function correctionCodeMatches(typed: string, storedSha256: string): boolean {
  const given = Buffer.from(correctionCodeHash(typed), 'hex');
  const stored = Buffer.from(storedSha256, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
