/**
 * Typebot's variables: `{{Name}}` substitution (packages/variables parseVariables),
 * the JSON-escaping variant for HTTP bodies, and how values are stored (safeStringify:
 * text stays text, anything else becomes its JSON).
 */
import type { FlowVariable, VariableValue } from './flow-types.ts';

/** `{{name}}`, and `${{name}}` which keeps the dollar sign. */
const variableRegex = /\{\{([^{}]+)\}\}|(\$)\{\{([^{}]+)\}\}/g;

export function safeStringify(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

/** A value as a variable holds it: text, a list of texts, or null. */
export function toVariableValue(value: unknown): VariableValue {
  if (Array.isArray(value)) return value.map((item) => safeStringify(item));
  return safeStringify(value);
}

const isSet = (value: VariableValue | undefined): value is string | Array<string | null> => value !== null && value !== undefined;

/**
 * Replaces every `{{Name}}` with the variable's value. Unknown or unset variables become
 * empty text. Inside a JSON body, text is JSON-escaped without its quotes, so
 * `"name": "{{Nome}}"` stays valid JSON whatever the driver typed.
 */
export function parseVariables(text: string | undefined, variables: readonly FlowVariable[], options: { isInsideJson?: boolean } = {}): string {
  if (text === undefined || text === '') return '';
  return text.replace(variableRegex, (_full, curlyName: string | undefined, dollar: string | undefined, templateName: string | undefined) => {
    const prefix = dollar ?? '';
    const name = curlyName ?? templateName;
    const variable = variables.find((candidate) => candidate.name === name && isSet(candidate.value));
    if (variable === undefined || !isSet(variable.value)) return prefix;
    if (options.isInsideJson) {
      const json = JSON.stringify(variable.value);
      return prefix + (typeof variable.value === 'string' ? json.slice(1, -1) : json);
    }
    return prefix + (safeStringify(variable.value) ?? '');
  });
}

/** `{{Name}}` alone (nothing around it): Typebot then uses the raw value, lists included. */
export function singleVariable(text: string | undefined, variables: readonly FlowVariable[]): FlowVariable | undefined {
  const match = /^\{\{([^{}]+)\}\}$/.exec(text?.trim() ?? '');
  return match === null ? undefined : variables.find((variable) => variable.name === match[1]);
}

export function setVariable(variables: FlowVariable[], variableId: string | undefined, value: unknown): void {
  const variable = variables.find((candidate) => candidate.id === variableId);
  if (variable !== undefined) variable.value = toVariableValue(value);
}

/** startChat's prefilledVariables: by name; unknown names and empty values are ignored. */
export function prefillVariables(variables: readonly FlowVariable[], prefilled: Record<string, unknown> | undefined): FlowVariable[] {
  return variables.map((variable) => {
    const given = prefilled?.[variable.name];
    if (given === undefined || given === null || given === '' || given === false || given === 0) return { ...variable };
    return { ...variable, value: toVariableValue(given) };
  });
}

export function variableValuesByName(variables: readonly FlowVariable[]): Record<string, VariableValue> {
  return Object.fromEntries(variables.map((variable) => [variable.name, variable.value ?? null]));
}
