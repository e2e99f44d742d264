/**
 * Turns what Typebot's HTTP Request block sends into one flat record of
 * answers (see shared/contracts/CONTRACTS.md §3.4).
 *
 * Two shapes arrive:
 *  - `{"variables": [{"id"?, "name": "nif", "value": "123"}, ...]}`;
 *  - a flat object, e.g. the default body `{"submittedAt": "...", "nif": "123"}`
 *    or a custom body.
 * Keys are trimmed and lower-cased. Values become single answers: a list gives
 * its first non-empty item, a number its digits, null means "not answered"
 * and is left out. Objects and booleans are kept for the field validators to refuse.
 */
import { fail, ok } from './result.ts';
import type { Parsed } from './result.ts';
import { submissionErrors } from './texts/intake.ts';

type Entry = readonly [key: string, value: unknown];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function singleValue(value: unknown, inList = false): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (!Array.isArray(value)) return value;
  // A list inside a list is no answer Typebot gives: kept for the validators to refuse, never walked
  // (JSON.parse takes lists nested 100,000 deep; walking them would overflow the stack).
  if (inList) return value;
  const items: unknown[] = value.map((item) => singleValue(item, true));
  const firstAnswer = items.find((item) => typeof item === 'string' && item.trim() !== '');
  return firstAnswer ?? (items.length > 0 ? '' : undefined);
}

/** The entries of the `variables` list, `undefined` when the body is the flat shape, or an error. */
function variableEntries(body: Record<string, unknown>): Parsed<Entry[]> | undefined {
  const list = Object.entries(body).find(([key]) => key.trim().toLowerCase() === 'variables')?.[1];
  if (!Array.isArray(list)) return undefined;
  const entries: Entry[] = [];
  for (const item of list as unknown[]) {
    if (!isObject(item) || typeof item.name !== 'string') {
      return fail(submissionErrors.variableWithoutName);
    }
    entries.push([item.name, item.value]);
  }
  return ok(entries);
}

export function flattenTypebotPayload(body: unknown): Parsed<Record<string, unknown>> {
  if (!isObject(body)) return fail(submissionErrors.notAnObject);
  const fromVariables = variableEntries(body);
  if (fromVariables?.ok === false) return fromVariables;
  const entries = fromVariables?.value ?? Object.entries(body);

  // A Map, then Object.fromEntries: a key such as "__proto__" stays plain data.
  const answers = new Map<string, unknown>();
  for (const [rawKey, rawValue] of entries) {
    const key = rawKey.trim().toLowerCase();
    const value = singleValue(rawValue);
    if (key === '' || value === undefined) continue;
    const previous = answers.get(key);
    if (previous === undefined || previous === '') answers.set(key, value);
    else if (value !== '' && value !== previous) {
      return fail(submissionErrors.repeatedField(key));
    }
  }
  return ok(Object.fromEntries(answers));
}
