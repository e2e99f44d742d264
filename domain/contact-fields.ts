/**
 * Contact fields of a driver: email, full name and free text (address, city).
 * All text is normalised to Unicode NFC so "José" typed on any keyboard is
 * the same string, and trimmed.
 */
import { answerText, fail, ok } from './result.ts';
import type { Parsed } from './result.ts';
import { emailErrors, freeTextErrors, nameErrors } from './texts/intake.ts';

const emailMax = 254;
const localPartMax = 64;
const nameMax = 120;

const atext = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const localPartPattern = new RegExp(`^${atext}(?:\\.${atext})*$`);
const domainLabel = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const domainPattern = new RegExp(`^(?:${domainLabel}\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$`);

/** One word of a name: letters (accents included), joined by hyphens or apostrophes. */
const nameWordPattern = /^(?:\p{L}\p{M}*)+(?:['’-](?:\p{L}\p{M}*)+)*$/u;

/** Bidirectional overrides and isolates: invisible, and able to disguise text in a reviewer's screen. */
const forbiddenPattern = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

function normalisedText(raw: unknown): string {
  return (answerText(raw) ?? '').normalize('NFC').replace(/\s+/gu, ' ').trim();
}

function lengthOf(text: string): number {
  return Array.from(text).length;
}

/** Trimmed; the domain is lower-cased, the local part is kept as typed. */
export function parseEmail(raw: unknown): Parsed<string> {
  const text = (answerText(raw) ?? '').trim();
  if (text === '') return fail(emailErrors.missing);
  if (text.length > emailMax) return fail(emailErrors.tooLong(emailMax));
  const at = text.lastIndexOf('@');
  const localPart = text.slice(0, Math.max(at, 0));
  const domain = text.slice(at + 1).toLowerCase();
  const valid =
    at > 0 && localPart.length <= localPartMax && localPartPattern.test(localPart) && domainPattern.test(domain);
  if (!valid) return fail(emailErrors.invalid);
  return ok(`${localPart}@${domain}`);
}

/** At least two words (first name and surname), spaces collapsed. */
export function parseFullName(raw: unknown): Parsed<string> {
  const text = normalisedText(raw);
  if (text === '') return fail(nameErrors.missing);
  if (lengthOf(text) > nameMax) return fail(nameErrors.tooLong(nameMax));
  if (/\p{N}/u.test(text)) return fail(nameErrors.digits);
  const words = text.split(' ');
  if (!words.every((word) => nameWordPattern.test(word))) {
    return fail(nameErrors.characters);
  }
  if (words.length < 2) return fail(nameErrors.oneWord);
  return ok(text);
}

/**
 * Required free text such as the address (`morada`) or city (`cidade`).
 * Line breaks and tabs become single spaces; other control characters are
 * refused. The content is data only: nothing here gives it meaning.
 */
export function parseFreeText(raw: unknown, label: string, max: number): Parsed<string> {
  const text = normalisedText(raw);
  if (text === '') return fail(freeTextErrors.missing(label));
  if (forbiddenPattern.test(text)) return fail(freeTextErrors.forbiddenCharacters(label));
  if (lengthOf(text) > max) return fail(freeTextErrors.tooLong(label, max));
  return ok(text);
}
