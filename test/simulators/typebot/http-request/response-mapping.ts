/**
 * `responseVariableMapping[].bodyPath`: Typebot runs it as JavaScript with `data` (the
 * parsed response body) and `statusCode` in scope. The simulator evaluates the part of
 * that language flows use, without eval: a path from `data` or `statusCode` through
 * `.name`, `["name"]` and `[0]`, optionally compared (`==`, `===`, `!=`, `!==`) with a
 * string, number, boolean or null literal. Reading a property of undefined throws, as in
 * JavaScript, and Typebot then leaves the variable unchanged.
 */

type Token = { kind: 'name' | 'string' | 'number' | 'punct'; text: string };

const tokenPattern = /\s*(?:([A-Za-z_$][\w$]*)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)|(!==|===|!=|==|[.[\]]))/y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < expression.length) {
    if (expression.slice(tokenPattern.lastIndex).trim() === '') break;
    const match = tokenPattern.exec(expression);
    if (match === null) throw new Error(`unsupported expression: ${expression}`);
    if (match[1] !== undefined) tokens.push({ kind: 'name', text: match[1] });
    else if (match[2] !== undefined || match[3] !== undefined) tokens.push({ kind: 'string', text: JSON.parse(`"${(match[2] ?? match[3] ?? '').replace(/\\'/g, "'")}"`) as string });
    else if (match[4] !== undefined) tokens.push({ kind: 'number', text: match[4] });
    else tokens.push({ kind: 'punct', text: match[5] ?? '' });
  }
  return tokens;
}

function literal(token: Token | undefined): unknown {
  if (token === undefined) throw new Error('missing literal');
  if (token.kind === 'string') return token.text;
  if (token.kind === 'number') return Number(token.text);
  if (token.kind === 'name' && ['true', 'false', 'null', 'undefined'].includes(token.text)) {
    return { true: true, false: false, null: null, undefined }[token.text as 'true' | 'false' | 'null' | 'undefined'];
  }
  throw new Error(`unsupported literal: ${token.text}`);
}

function read(target: unknown, key: string | number): unknown {
  if (target === null || target === undefined) throw new TypeError(`Cannot read properties of ${String(target)} (reading '${key}')`);
  return Object.hasOwn(Object(target) as object, key) || typeof key === 'number' ? (target as Record<string | number, unknown>)[key] : undefined;
}

/** Evaluates a bodyPath against the response; throws where JavaScript would (or on an unsupported expression). */
export function evaluateBodyPath(expression: string, scope: { data: unknown; statusCode: number }): unknown {
  const tokens = tokenize(expression);
  let index = 0;
  const root = tokens[index++];
  if (root?.kind !== 'name' || (root.text !== 'data' && root.text !== 'statusCode')) throw new Error(`unsupported expression: ${expression}`);
  let value: unknown = root.text === 'data' ? scope.data : scope.statusCode;
  while (index < tokens.length && (tokens[index]?.text === '.' || tokens[index]?.text === '[')) {
    const opener = tokens[index++]?.text;
    const key = tokens[index++];
    if (key === undefined || (opener === '.' && key.kind !== 'name') || (opener === '[' && key.kind !== 'string' && key.kind !== 'number')) {
      throw new Error(`unsupported expression: ${expression}`);
    }
    if (opener === '[' && tokens[index++]?.text !== ']') throw new Error(`unsupported expression: ${expression}`);
    value = read(value, key.kind === 'number' ? Number(key.text) : key.text);
  }
  if (index === tokens.length) return value;
  const operator = tokens[index++]?.text;
  const other = literal(tokens[index++]);
  if (index !== tokens.length) throw new Error(`unsupported expression: ${expression}`);
  switch (operator) {
    case '===':
      return value === other;
    case '!==':
      return value !== other;
    case '==':
      return value == other; // JavaScript's loose equality, as the flow author wrote it
    case '!=':
      return value != other;
    default:
      throw new Error(`unsupported expression: ${expression}`);
  }
}

/** Whether the simulator can evaluate this bodyPath (checked when the flow is loaded). */
export function supportedBodyPath(expression: string): boolean {
  if (expression.includes('{{')) return true; // only known once variables are filled in
  try {
    evaluateBodyPath(expression, { data: {}, statusCode: 200 });
    return true;
  } catch (error) {
    return error instanceof TypeError; // well-formed, it only read through undefined
  }
}
