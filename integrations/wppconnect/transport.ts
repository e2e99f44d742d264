/**
 * HTTP to WPPConnect Server with its bearer-token dance: generate a token from the
 * secret key when none is configured, and regenerate it once when a request is
 * rejected with 401 (the server was restarted with a new SECRET_KEY, the configured
 * token belongs to another session...). Secrets never reach error messages.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import { generateTokenResponse } from './schemas.ts';
import type { ApiResponse } from './failures.ts';
import { describeNetworkError, unexpectedResponse } from '../http/failures.ts';
import { failureFromResponse, isAuthRejection, isSuccess } from './failures.ts';
import { parseResponseBody } from '../http/parse-response-body.ts';

export interface TransportOptions {
  baseUrl: string;
  session: string;
  token?: string;
  secretKey?: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export interface Transport {
  /** An authorized request on a session route, e.g. `send-message`; answers any status, throws only when it cannot. */
  call(method: 'GET' | 'POST', route: string, body?: unknown): Promise<ApiResponse>;
}

export function createTransport(options: TransportOptions): Transport {
  const { secretKey, timeoutMs } = options;
  const sessionUrl = `${options.baseUrl.replace(/\/+$/, '')}/api/${encodeURIComponent(options.session)}`;
  let token = options.token;
  let pendingToken: Promise<string> | undefined;

  const redact = (text: string): string =>
    [secretKey, token, options.token].reduce<string>(
      (result, secret) => (secret ? result.split(secret).join('***') : result),
      text,
    );

  async function exchange(operation: string, url: string, init: RequestInit): Promise<ApiResponse> {
    try {
      const response = await options.fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      return { status: response.status, body: parseResponseBody(text) };
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new Error(`WPPConnect ${operation} timed out after ${timeoutMs} ms`);
      }
      throw new Error(redact(`WPPConnect ${operation} failed: ${describeNetworkError(error)}`));
    }
  }

  async function generateToken(): Promise<string> {
    if (secretKey === undefined) {
      throw ApplicationFailure.nonRetryable(
        `WPPConnect rejected the configured token for session ${options.session} and no secret key is configured to renew it`,
        ErrorType.ExternalServiceRejected,
      );
    }
    const url = `${sessionUrl}/${encodeURIComponent(secretKey)}/generate-token`;
    const response = await exchange('generate-token', url, { method: 'POST' });
    if (!isSuccess(response)) throw failureFromResponse('generate-token', response);
    const parsed = generateTokenResponse.safeParse(response.body);
    if (!parsed.success) throw unexpectedResponse('WPPConnect', 'generate-token', parsed.error);
    token = parsed.data.token;
    return token;
  }

  /** One generation at a time; a caller whose token was already replaced just takes the new one. */
  function renewToken(rejected: string | undefined): Promise<string> {
    if (token !== undefined && token !== rejected) return Promise.resolve(token);
    pendingToken ??= generateToken().finally(() => {
      pendingToken = undefined;
    });
    return pendingToken;
  }

  function send(method: string, route: string, body: unknown, bearer: string): Promise<ApiResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    return exchange(`${method} ${route.split('?')[0]}`, `${sessionUrl}/${route}`, init);
  }

  return {
    async call(method, route, body) {
      const first = token ?? (await renewToken(undefined));
      const response = await send(method, route, body, first);
      if (!isAuthRejection(response)) return response;
      const renewed = await renewToken(first);
      const retried = await send(method, route, body, renewed);
      if (isAuthRejection(retried)) {
        throw ApplicationFailure.nonRetryable(
          `WPPConnect rejected a freshly generated token for session ${options.session}`,
          ErrorType.ExternalServiceRejected,
        );
      }
      return retried;
    },
  };
}
