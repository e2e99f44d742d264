/**
 * HTTP to Chatwoot's Application API: `/api/v1/accounts/{account_id}/...` with the
 * `api_access_token` header (no Bearer), JSON or multipart bodies, a timeout per request,
 * and failures sorted for Temporal. The token never reaches an error message.
 */
import type { ZodType } from 'zod';
import type { ApiResponse } from './failures.ts';
import { describeNetworkError, unexpectedResponse } from '../http/failures.ts';
import { failureFromResponse, isSuccess } from './failures.ts';
import { parseResponseBody } from '../http/parse-response-body.ts';

export interface TransportOptions {
  baseUrl: string;
  accountId: number;
  apiToken: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export type RequestBody = { json: unknown } | { form: FormData };
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ChatwootTransport {
  /** `path` is relative to the account, e.g. `contacts/filter`. Answers any status; throws only when there is no answer. */
  call(method: Method, path: string, body?: RequestBody): Promise<ApiResponse>;
  /** Like call, but a non-2xx is thrown (sorted) and the body is parsed with `schema`. */
  send<T>(method: Method, path: string, schema: ZodType<T>, body?: RequestBody): Promise<T>;
  /** Parses a 2xx body, or throws the sorted failure. */
  expect<T>(operation: string, response: ApiResponse, schema: ZodType<T>): T;
}

export function createChatwootTransport(options: TransportOptions): ChatwootTransport {
  const accountUrl = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/accounts/${options.accountId}`;
  const redact = (text: string): string => (options.apiToken ? text.split(options.apiToken).join('***') : text);

  async function call(method: Method, path: string, body?: RequestBody): Promise<ApiResponse> {
    const operation = `${method} ${path.split('?')[0]}`;
    const headers: Record<string, string> = { api_access_token: options.apiToken, accept: 'application/json' };
    let payload: string | FormData | undefined;
    if (body !== undefined && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body !== undefined) {
      payload = body.form; // fetch writes the multipart boundary itself
    }
    try {
      const response = await options.fetch(`${accountUrl}/${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      return { status: response.status, body: parseResponseBody(text) };
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new Error(`Chatwoot ${operation} timed out after ${options.timeoutMs} ms`);
      }
      throw new Error(redact(`Chatwoot ${operation} failed: ${describeNetworkError(error)}`));
    }
  }

  function expect<T>(operation: string, response: ApiResponse, schema: ZodType<T>): T {
    if (!isSuccess(response)) {
      const failure = failureFromResponse(operation, response);
      failure.message = redact(failure.message);
      throw failure;
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw unexpectedResponse('Chatwoot', operation, parsed.error);
    return parsed.data;
  }

  return {
    call,
    expect,
    async send(method, path, schema, body) {
      return expect(`${method} ${path.split('?')[0]}`, await call(method, path, body), schema);
    },
  };
}
