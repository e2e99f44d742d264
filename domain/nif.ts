/**
 * Portuguese tax number (NIF) of a natural person.
 *
 * Nine digits, the last a mod-11 check digit. Spaces are tolerated because
 * drivers copy the number as printed ("123 456 789"); letters never are, not
 * even the "PT" VAT prefix. Only natural-person ranges are accepted: the
 * registration is personal, so a company's NIF is refused with its own message.
 */
import { answerText, fail, ok } from './result.ts';
import type { Parsed } from './result.ts';
import { nifErrors } from './texts/intake.ts';

/** Prefixes the tax authority assigns to natural persons (45: non-residents). */
const personPrefixes = ['1', '2', '3', '45'] as const;

/** Check digit for the first eight digits: weights 9..2, 11 - sum mod 11, 10 and 11 become 0. */
function nifCheckDigit(firstEight: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += Number(firstEight[i]) * (9 - i);
  const check = 11 - (sum % 11);
  return check >= 10 ? 0 : check;
}

export function parseNif(raw: unknown): Parsed<string> {
  const text = answerText(raw)?.replace(/\s+/g, '') ?? '';
  if (text === '') return fail(nifErrors.missing);
  if (/\p{L}/u.test(text)) return fail(nifErrors.letters);
  if (!/^\d{9}$/.test(text)) return fail(nifErrors.format);
  if (nifCheckDigit(text) !== Number(text[8])) return fail(nifErrors.checkDigit);
  if (!personPrefixes.some((prefix) => text.startsWith(prefix))) return fail(nifErrors.notPerson);
  return ok(text);
}
