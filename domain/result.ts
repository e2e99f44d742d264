/**
 * The result every field validator returns: the normalised value, or one
 * European Portuguese sentence, naming the field, that can be shown to the
 * driver as it is.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/**
 * The text a validator works on. Typebot sends answers as strings, but a
 * number input or a custom body without quotes yields a JSON number, so
 * non-negative safe integers are read as their digits. Anything else
 * (objects, booleans, fractions) is not an answer: `undefined`.
 */
export function answerText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw);
  return undefined;
}
