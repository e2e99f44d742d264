/**
 * Builds the request an HTTP Request block ("Webhook") sends, as executeHttpRequestBlock's
 * parseHttpRequestAttributes does (CONTRACTS.md §3.4): `{{}}` in URL, query and headers;
 * `Authorization: Basic user:pass` base64-encoded; a custom body with JSON-escaping
 * substitution, or the default body built from the answers; no body for GET.
 */
import type { BlockOptions, FlowVariable, KeyValue } from '../flow-types.ts';
import type { Answer } from '../state.ts';
import { parseVariables } from '../variables.ts';

export interface ParsedHttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** The body after substitution: parsed JSON when it parses, else the text; none for GET. */
  body?: { json: unknown } | { text: string };
}

function keyValueTable(rows: KeyValue[] | undefined, variables: readonly FlowVariable[]): Array<[string, string]> {
  return (rows ?? [])
    .map((row): [string, string] => [parseVariables(row.key, variables), parseVariables(row.value, variables)])
    .filter(([key, value]) => key !== '' && value !== '');
}

/** Typebot's default body: `submittedAt`, every answer by key, every set variable by name. */
export function defaultBody(answers: readonly Answer[], variables: readonly FlowVariable[], now: Date): Record<string, string> {
  const body: Record<string, string> = { submittedAt: now.toISOString() };
  for (const answer of answers) if (answer.key !== '') body[answer.key] = answer.value;
  for (const variable of variables) {
    if (variable.value !== null && variable.value !== undefined) body[variable.name] = variable.value.toString();
  }
  return body;
}

export function parseHttpRequest(
  options: BlockOptions | undefined,
  { variables, answers, now }: { variables: readonly FlowVariable[]; answers: readonly Answer[]; now: Date },
): ParsedHttpRequest | undefined {
  const settings = options?.webhook;
  if (settings?.url === undefined || settings.url === '') return undefined;
  const headerRows = [...(settings.headers ?? [])];
  const basicIndex = headerRows.findIndex((row) => row.key?.toLowerCase() === 'authorization' && row.value?.toLowerCase().includes('basic') === true);
  let basicAuth: string | undefined;
  if (basicIndex !== -1 && headerRows[basicIndex]?.value?.includes(':') === true) {
    const [row] = headerRows.splice(basicIndex, 1);
    basicAuth = Buffer.from(parseVariables(row?.value?.slice(6), variables)).toString('base64');
  }
  const headers = Object.fromEntries(keyValueTable(headerRows, variables));
  if (basicAuth !== undefined) headers.Authorization = `Basic ${basicAuth}`;

  const query = keyValueTable(settings.queryParams, variables)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const method = (settings.method ?? 'POST').toUpperCase();
  const bodyText =
    settings.body === '{{state}}' || settings.body === undefined || settings.body.trim() === '' || options?.isCustomBody !== true
      ? JSON.stringify(defaultBody(answers, variables, now))
      : settings.body;
  let body: ParsedHttpRequest['body'];
  if (method !== 'GET') {
    const substituted = parseVariables(bodyText, variables, { isInsideJson: !/^{{.+}}$/.test(bodyText) });
    try {
      body = { json: JSON.parse(substituted) as unknown };
    } catch {
      body = { text: substituted };
    }
  }
  return { url: parseVariables(settings.url + (query === '' ? '' : `?${query}`), variables), method, headers, ...(body === undefined ? {} : { body }) };
}
