/**
 * The security suite's table runner: every bad input is one row `{route, name, request, expect}`,
 * sent byte for byte (no URL normalisation, so `../` reaches the server as typed), and every row ends
 * with the same check that nothing changed: each file names what it watches (registration rows,
 * document files, audit entries, workflows, messages in the simulators) as probes read before and
 * after the request. A new row is one line in a table.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { it } from 'node:test';

export interface RawRequest {
  method: string;
  /** Sent exactly as written: dot segments, percent-escapes and NULs are not touched on the way. */
  path: string;
  headers?: Record<string, string>;
  /** An object goes as JSON (`content-type: application/json` unless a header says otherwise); a string or Buffer as is. */
  body?: unknown;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The JSON body, or `{}` when there is none or it is not JSON. */
  body: Record<string, unknown>;
}

/** Drivers (and Typebot) read refusals in pt-PT as `{success: false, error, fields}`; operators in English as `{error}`. */
export type Audience = 'driver' | 'operator';

export type Expectation =
  /**
   * Refused: the status, and `error` (pt-PT or English by the audience) matching. `retryAfter`: a
   * "come back later" (429, or a 503 for a full queue) with a `Retry-After` of whole seconds.
   */
  | { status: number; errorMatches: RegExp; audience?: Audience; retryAfter?: true }
  /** A webhook answered 2xx (so the sender does not retry) that did nothing: `reason` matching. */
  | { status: number; ignoredBecause: RegExp }
  /** Answered with these fields (e.g. a replayed delivery: accepted again, and still nothing sent twice). */
  | { status: number; answer: Record<string, unknown> };

export interface Row<Context> {
  /** The route as the README names it, e.g. `POST /drivers/register-typebot/`. */
  route: string;
  /** What is bad about the request. */
  name: string;
  request: (context: Context) => RawRequest | Promise<RawRequest>;
  expect: Expectation;
  /** The row shows a known gap: it runs and reports, without failing the suite. Say why. */
  todo?: string;
}

/** Named reads of the state a bad request must not change; compared before and after it. */
export type Probes = Record<string, () => Promise<unknown>>;

export interface Table<Context> {
  /** The server the rows go to (the API, or the sandbox console). */
  baseUrl: (row: Row<Context>) => string;
  /** Who reads the route's refusals, unless the row says. */
  audience: (row: Row<Context>) => Audience;
  /** Fresh for every row: the ids, NIF and phone its request uses, so probes can look at exactly those. */
  context: () => Context | Promise<Context>;
  probes: (context: Context) => Probes;
  /** Waits until whatever the request could have set off has run (webhook deliveries, a chat at rest). */
  settle?: (context: Context) => Promise<void>;
  /** Secrets and personal data no answer may echo (tokens, the NIF of a registration, …). */
  secrets?: () => string[];
  /** Sees every answer (e.g. to keep the ids of what a `todo` row let through out of later rows' probes). */
  answered?: (response: RawResponse) => void;
}

export async function send(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = request.body === undefined ? undefined
    : Buffer.isBuffer(request.body) ? request.body
      : Buffer.from(typeof request.body === 'string' ? request.body : JSON.stringify(request.body));
  // A row that sends its body chunked declares no length.
  const chunked = request.headers?.['transfer-encoding'] !== undefined;
  const headers: Record<string, string> = {
    ...(body === undefined ? {} : { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(body.length) }) }),
    ...request.headers,
  };
  return new Promise((resolve, reject) => {
    let answered = false;
    // A connection per request (no keep-alive agent): a row that declares more body than it sends
    // leaves its connection waiting for the rest, so it is closed once answered and never reused.
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent: false }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        outgoing.destroy();
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = {};
        try {
          parsed = text === '' ? {} : JSON.parse(text);
        } catch {
          parsed = {};
        }
        const json = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {};
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body: json });
      });
    });
    // A server may answer (413, 401) before reading a large body and close: the answer is what counts.
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    outgoing.end(body);
  });
}

async function snapshot(probes: Probes): Promise<Record<string, unknown>> {
  const entries = await Promise.all(Object.entries(probes).map(async ([name, read]) => [name, await read()] as const));
  return Object.fromEntries(entries);
}

/** The probes whose reading `action` changed: the positive control that shows the probes can see a change. */
export async function changedBy(probes: Probes, action: () => Promise<void>): Promise<string[]> {
  const before = await snapshot(probes);
  await action();
  const after = await snapshot(probes);
  return Object.keys(probes).filter((name) => !isDeepStrictEqual(before[name], after[name]));
}

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** English or pt-PT, told apart by the words refusals use. Crude on purpose: it catches a sentence in the wrong audience's language. */
const portugueseWords = /\b(o|a|os|as|do|da|de|não|é|um|uma|pedido|pedidos|ficheiro|campo|indique|envie|tente|novamente)\b/i;

function checkAnswer(row: Row<unknown>, response: RawResponse, audience: Audience): void {
  const what = `${row.route} ${row.name}: ${response.status} ${response.text.slice(0, 300)}`;
  assert.equal(response.status, row.expect.status, what);
  const comeBackLater = 'retryAfter' in row.expect && row.expect.retryAfter === true;
  assert.ok(response.status < 500 || (comeBackLater && response.status === 503), `never a 5xx for bad input: ${what}`);
  if (comeBackLater) assert.match(String(response.headers['retry-after']), /^[1-9]\d*$/, `Retry-After in seconds: ${what}`);
  if ('errorMatches' in row.expect) {
    const error = response.body.error;
    assert.equal(typeof error, 'string', `an error sentence: ${what}`);
    assert.match(error as string, row.expect.errorMatches, what);
    if ((row.expect.audience ?? audience) === 'driver') {
      assert.equal(response.body.success, false, `the driver's shape {success: false, error}: ${what}`);
      assert.match(error as string, portugueseWords, `pt-PT for the driver: ${what}`);
    } else {
      assert.equal(response.body.success, undefined, `the operator's shape {error}: ${what}`);
      assert.doesNotMatch(error as string, /\b(não|pedido|ficheiro)\b/i, `English for the operator: ${what}`);
    }
  } else if ('ignoredBecause' in row.expect) {
    assert.ok(response.body.forwarded === false || response.body.relayed === false, `answered as ignored: ${what}`);
    assert.match(typeof response.body.reason === 'string' ? response.body.reason : '', row.expect.ignoredBecause, what);
  } else {
    for (const [key, value] of Object.entries(row.expect.answer)) assert.deepEqual(response.body[key], value, `${key}: ${what}`);
  }
}

/** One `it` per row: the answer as expected, and every probe reads the same after the request as before it. */
export function runRows<Context>(rows: ReadonlyArray<Row<Context>>, table: Table<Context>): void {
  const names = new Set<string>();
  for (const row of rows) {
    const title = `${row.route}: ${row.name}`;
    assert.ok(!names.has(title), `each row is a distinct case: "${title}" appears twice`);
    names.add(title);
    it(title, row.todo === undefined ? {} : { todo: row.todo }, async () => {
      const context = await table.context();
      const request = await row.request(context);
      const probes = table.probes(context);
      const before = await snapshot(probes);
      const response = await send(table.baseUrl(row), request);
      table.answered?.(response);
      checkAnswer(row as Row<unknown>, response, table.audience(row));
      for (const secret of table.secrets?.() ?? []) assert.ok(!response.text.includes(secret), `the answer does not echo a secret: ${title}`);
      await table.settle?.(context);
      assert.deepStrictEqual(await snapshot(probes), before, `nothing changed: ${title}`);
    });
  }
}
