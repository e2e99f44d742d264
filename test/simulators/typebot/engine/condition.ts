/**
 * Condition blocks and choice items' display conditions (packages/conditions
 * executeCondition): comparisons joined with AND (default) or OR; a value that is exactly
 * `{{Var}}` compares against that variable's raw value; text compares after Unicode
 * normalisation; Contains/Starts with/Ends with ignore case and surrounding spaces.
 */
import type { Comparison, Condition, FlowVariable, VariableValue } from '../flow-types.ts';
import { parseVariables, singleVariable } from '../variables.ts';

type Text = string | null;

/** Applies a text comparison across lists: `every` unless told `some`, as Typebot's compare(). */
function compare(test: (a: Text, b: Text) => boolean, a: VariableValue, b: VariableValue, mode: 'every' | 'some' = 'every'): boolean {
  const as = Array.isArray(a) ? a : [a];
  const bs = Array.isArray(b) ? b : [b];
  const pick = <T>(list: T[], predicate: (item: T) => boolean) => (mode === 'every' ? list.every(predicate) : list.some(predicate));
  return pick(as, (left) => pick(bs, (right) => test(left, right)));
}

const lower = (text: string) => text.toLowerCase().trim().normalize();

function parseRegex(source: string): RegExp | undefined {
  const withFlags = /\/(.+)\/([gimuy]*)$/.exec(source);
  try {
    return withFlags === null ? new RegExp(source) : new RegExp(withFlags[1] ?? '', withFlags[2]);
  } catch {
    return undefined;
  }
}

function numberDateOrLength(text: string): number {
  const parsed = text.startsWith('+') ? Number.NaN : Number(text);
  if (!Number.isNaN(parsed)) return parsed;
  const time = Date.parse(text);
  return Number.isNaN(time) ? text.length : time;
}

function ordered(a: VariableValue, b: VariableValue, test: (x: number, y: number) => boolean): boolean {
  if (a === null || b === null) return false;
  const size = (value: string | Array<string | null>) => (typeof value === 'string' ? numberDateOrLength(value) : value.length);
  return test(size(a), size(b));
}

function executeComparison(comparison: Comparison, variables: readonly FlowVariable[]): boolean {
  if (comparison.variableId === undefined || comparison.comparisonOperator === undefined) return false;
  const input: VariableValue = variables.find((variable) => variable.id === comparison.variableId)?.value ?? null;
  const value: VariableValue =
    comparison.value === 'undefined' || comparison.value === 'null'
      ? null
      : (singleVariable(comparison.value, variables)?.value ?? parseVariables(comparison.value, variables));
  switch (comparison.comparisonOperator) {
    case 'Equal to':
      return compare((a, b) => (a !== null && b !== null ? a.normalize() === b.normalize() : a === b), input, value);
    case 'Not equal':
      return compare((a, b) => (a !== null && b !== null ? a.normalize() !== b.normalize() : a !== b), input, value);
    case 'Contains':
      if (Array.isArray(input)) return compare((a, b) => (a !== null && b !== null ? a.normalize() === b.normalize() : a !== b), input, value, 'some');
      return compare((a, b) => a !== null && b !== null && b !== '' && lower(a).includes(lower(b)), input, value, 'some');
    case 'Does not contain':
      if (Array.isArray(input)) return compare((a, b) => (a !== null && b !== null ? a.normalize() !== b.normalize() : a !== b), input, value);
      return compare((a, b) => a === null || b === null || b === '' || !lower(a).includes(lower(b)), input, value);
    case 'Greater than':
      return ordered(input, value, (x, y) => x > y);
    case 'Less than':
      return ordered(input, value, (x, y) => x < y);
    case 'Greater or equal to':
      return ordered(input, value, (x, y) => x >= y);
    case 'Less or equal to':
      return ordered(input, value, (x, y) => x <= y);
    case 'Is set':
      return input !== null && input.length > 0;
    case 'Is empty':
      return input === null || input.length === 0;
    case 'Starts with':
      return compare((a, b) => a !== null && b !== null && b !== '' && lower(a).startsWith(lower(b)), input, value);
    case 'Ends with':
      return compare((a, b) => a !== null && b !== null && b !== '' && lower(a).endsWith(lower(b)), input, value);
    case 'Matches regex':
      return compare((a, b) => a !== null && b !== null && b !== '' && parseRegex(b)?.test(a) === true, input, value, 'some');
    case 'Does not match regex':
      return compare((a, b) => a !== null && b !== null && b !== '' && parseRegex(b)?.test(a) !== true, input, value);
    default:
      return false;
  }
}

export function executeCondition(condition: Condition | undefined, variables: readonly FlowVariable[]): boolean {
  const comparisons = condition?.comparisons ?? [];
  if (comparisons.length === 0) return false;
  return (condition?.logicalOperator ?? 'AND') === 'AND'
    ? comparisons.every((comparison) => executeComparison(comparison, variables))
    : comparisons.some((comparison) => executeComparison(comparison, variables));
}
