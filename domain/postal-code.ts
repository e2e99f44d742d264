/**
 * Portuguese postal code (código postal): four digits, a hyphen, three digits.
 * "1000-001" and "1000001" are both accepted and normalised to "1000-001";
 * a space in place of the hyphen is tolerated too. No code starts with 0.
 */
import { answerText, fail, ok } from './result.ts';
import type { Parsed } from './result.ts';
import { postalCodeErrors } from './texts/intake.ts';

export function parsePostalCode(raw: unknown): Parsed<string> {
  const text = answerText(raw)?.trim() ?? '';
  if (text === '') return fail(postalCodeErrors.missing);
  const match = /^(\d{4})[- ]?(\d{3})$/.exec(text);
  if (match === null) return fail(postalCodeErrors.format);
  const [, area = '', street = ''] = match;
  if (area.startsWith('0')) return fail(postalCodeErrors.leadingZero);
  return ok(`${area}-${street}`);
}
