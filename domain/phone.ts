/**
 * Portuguese phone numbers, normalised to E.164 ("+351912345678").
 *
 * Accepted as typed by a driver: "912 345 678", "+351 912 345 678",
 * "00351912345678", "351912345678" (spaces, hyphens, dots and parentheses are
 * ignored). Only numbers a person answers are kept: mobile and fixed line.
 * Premium-rate, toll-free, shared-cost and foreign numbers are refused.
 * `libphonenumber-js/max` carries the full metadata needed to tell the types apart.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { NumberType } from 'libphonenumber-js/max';
import { answerText, fail, ok } from './result.ts';
import type { Parsed } from './result.ts';
import { phoneErrors } from './texts/intake.ts';

const personalTypes: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);

/** "00351…" and "351…" (12 digits) are international; anything else without "+" is national. */
function internationalForm(compact: string): string {
  if (compact.startsWith('00')) return `+${compact.slice(2)}`;
  if (/^351\d{9}$/.test(compact)) return `+${compact}`;
  return compact;
}

export function parsePortuguesePhone(raw: unknown): Parsed<string> {
  const text = answerText(raw)?.trim() ?? '';
  if (text === '') return fail(phoneErrors.missing);
  const compact = text.replace(/[\s().-]/g, '');
  if (!/^\+?\d+$/.test(compact)) return fail(phoneErrors.format);

  const phone = parsePhoneNumberFromString(internationalForm(compact), 'PT');
  if (phone === undefined) return fail(phoneErrors.invalid);
  if (phone.countryCallingCode !== '351') return fail(phoneErrors.foreign);
  if (!phone.isValid()) return fail(phoneErrors.invalid);
  const type = phone.getType();
  if (type === undefined || !personalTypes.has(type)) return fail(phoneErrors.notPersonal);
  return ok(phone.number);
}

/** E.164 without the "+": the form WPPConnect's `phone` field takes ("351912345678"). */
export function whatsAppDigits(e164: string): string {
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) throw new TypeError(`Not an E.164 phone number: ${e164}`);
  return e164.slice(1);
}
