/**
 * `POST /contacts/filter` semantics (Contacts::FilterService, CONTRACTS.md §1.2): only
 * `values[0]` counts; phone_number compared as "+" + the value without any "+" (so both
 * "+351..." and "351..." match); other values lower-cased and compared with LOWER(column);
 * equal_to is exact, contains is a substring; AND binds tighter than OR; only "resolved"
 * contacts (with an email, phone or identifier) are searched. Simulated attributes:
 * name, email, phone_number, identifier.
 */
import { CouldNotCreate } from './rails-errors.ts';
import type { ContactRecord, SimulatorState } from './state.ts';

const COLUMNS = { name: 'name', email: 'email', phone_number: 'phoneNumber', identifier: 'identifier' } as const;
const OPERATORS = ['equal_to', 'not_equal_to', 'contains', 'does_not_contain'] as const;
type Condition = (contact: ContactRecord) => boolean;

function condition(item: Record<string, unknown>): Condition {
  const key = String(item.attribute_key);
  if (!(key in COLUMNS)) throw new CouldNotCreate(`Invalid attribute key - [${key}]`);
  const operator = String(item.filter_operator);
  if (!(OPERATORS as readonly string[]).includes(operator)) throw new CouldNotCreate(`Invalid operator. The allowed operators for ${key} are [${OPERATORS.join(',')}].`);
  const first = Array.isArray(item.values) ? (item.values as unknown[])[0] : undefined;
  if (typeof first !== 'string' && typeof first !== 'number') throw new CouldNotCreate(`Invalid value. The values provided for ${key} are invalid`);
  const value = key === 'phone_number' ? `+${String(first).replaceAll('+', '')}` : String(first).toLowerCase();
  const column = COLUMNS[key as keyof typeof COLUMNS];
  return (contact) => {
    const stored = contact[column]?.toLowerCase() ?? null;
    // SQL: a NULL column satisfies no comparison, negated or not.
    if (stored === null) return false;
    if (operator === 'equal_to') return stored === value;
    if (operator === 'not_equal_to') return stored !== value;
    if (operator === 'contains') return stored.includes(value);
    return !stored.includes(value);
  };
}

export function filterContacts(state: SimulatorState, payload: unknown): ContactRecord[] {
  if (!Array.isArray(payload) || payload.length === 0) throw new CouldNotCreate('Invalid payload. The payload should be a non-empty array');
  // OR of AND-groups: a query_operator joins an item to the next one.
  const groups: Condition[][] = [[]];
  for (const item of payload as unknown[]) {
    if (typeof item !== 'object' || item === null) throw new CouldNotCreate('Invalid payload. Each filter should be an object');
    const fields = item as Record<string, unknown>;
    groups.at(-1)!.push(condition(fields));
    if (typeof fields.query_operator === 'string' && fields.query_operator.toUpperCase() === 'OR') groups.push([]);
  }
  const resolved = state.contacts.filter((contact) => contact.email !== null || contact.phoneNumber !== null || contact.identifier !== null);
  return resolved.filter((contact) => groups.some((group) => group.length > 0 && group.every((test) => test(contact))));
}
