/**
 * Set variable blocks. Typebot first runs `expressionToEvaluate` as JavaScript and, when
 * that throws, uses it as text with `{{}}` filled in; `{{Var}}` alone copies the raw value.
 * The simulator runs no code: it evaluates literals (`"text"`, `'text'`, numbers, true,
 * false, null, optionally after `return`) and otherwise uses the text, which is what
 * Typebot gets for plain words. Code beyond literals is refused when the flow is loaded.
 */
import type { FlowBlock } from '../flow-types.ts';
import type { Session } from '../state.ts';
import { createId } from '../state.ts';
import { parseVariables, setVariable, singleVariable } from '../variables.ts';

/** The value of a JavaScript literal, or undefined when the expression is something else. */
export function literalValue(expression: string | undefined): { value: unknown } | undefined {
  const body = (expression ?? '').trim().replace(/^return\s+/, '').replace(/;\s*$/, '').trim();
  if (/^"(?:[^"\\]|\\.)*"$/.test(body) || /^-?\d+(?:\.\d+)?$/.test(body) || ['true', 'false', 'null'].includes(body)) {
    return { value: JSON.parse(body) as unknown };
  }
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(body) ?? /^`((?:[^`\\$]|\\.)*)`$/.exec(body);
  return quoted === null ? undefined : { value: (quoted[1] ?? '').replace(/\\(.)/g, '$1') };
}

export function runSetVariable(block: FlowBlock, session: Session): void {
  const { variables } = session;
  const options = block.options ?? {};
  if (options.type === 'Empty') return setVariable(variables, options.variableId, null);
  if (options.type === 'Result ID') return setVariable(variables, options.variableId, session.resultId);
  if (options.type === 'Random ID') return setVariable(variables, options.variableId, createId());
  const single = singleVariable(options.expressionToEvaluate, variables);
  if (single !== undefined) return setVariable(variables, options.variableId, single.value ?? null);
  const literal = literalValue(options.expressionToEvaluate);
  setVariable(variables, options.variableId, literal !== undefined ? literal.value : parseVariables(options.expressionToEvaluate, variables));
}
