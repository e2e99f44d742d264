/**
 * Sends an HTTP Request block's request as Typebot does (executeHttpRequest, with ky):
 * the SSRF guard first (refused: statusCode 400), redirects validated hop by hop,
 * ky's default retries for idempotent methods, the optional timeout (statusCode 408),
 * and 4xx/5xx answered as data, never thrown. Network failures become statusCode 500.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatLog } from '../state.ts';
import type { ParsedHttpRequest } from './parse-request.ts';
import { validateHttpRequestTarget, type SsrfPolicy } from './ssrf.ts';

export const webhookSuccessDescription = 'Webhook successfuly executed.';
export const webhookErrorDescription = 'Webhook returned an error.';

export interface HttpResponse {
  statusCode: number;
  data: unknown;
}

const retryMethods = new Set(['GET', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);
const retryStatuses = new Set([408, 413, 429, 500, 502, 503, 504]);
const maxRetries = 2;
const maxRedirects = 20;

const parseData = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

function requestInit(request: ParsedHttpRequest, signal: AbortSignal | undefined): RequestInit {
  const headers = new Headers(request.headers);
  let body: string | URLSearchParams | undefined;
  const isForm = request.headers['Content-Type']?.includes('x-www-form-urlencoded') === true;
  const content = request.body === undefined ? undefined : 'json' in request.body ? request.body.json : request.body.text;
  if (content !== undefined && content !== null && content !== '' && content !== false && content !== 0 && request.body !== undefined) {
    if ('text' in request.body) body = request.body.text;
    else if (isForm && typeof content === 'object') body = new URLSearchParams(Object.entries(content as Record<string, string>));
    else {
      body = JSON.stringify(content);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
  }
  return { method: request.method, headers, body, redirect: 'manual', signal };
}

/** One attempt, following redirects itself so every hop passes the SSRF guard. */
async function fetchValidated(request: ParsedHttpRequest, policy: SsrfPolicy, signal: AbortSignal | undefined): Promise<Response> {
  let current = request;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const response = await fetch(current.url, requestInit(current, signal));
    const location = response.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(response.status) || location === null) return response;
    await response.body?.cancel();
    const next = new URL(location, current.url).toString();
    await validateHttpRequestTarget(next, current.headers, policy).catch((error: unknown) => {
      throw Object.assign(new Error(`Redirect refused: ${(error as Error).message}`), { redirectRefused: true });
    });
    const keepsBody = response.status === 307 || response.status === 308;
    current = keepsBody ? { ...current, url: next } : { ...current, url: next, method: current.method === 'HEAD' ? 'HEAD' : 'GET', body: undefined };
  }
  throw new TypeError('fetch failed: too many redirects');
}

function retryDelayMs(response: Response | undefined, attempt: number): number {
  const retryAfter = response?.headers.get('retry-after');
  if (retryAfter !== null && retryAfter !== undefined && [413, 429, 503].includes(response?.status ?? 0)) {
    const seconds = Number(retryAfter);
    return Number.isNaN(seconds) ? Math.max(0, Date.parse(retryAfter) - Date.now()) : seconds * 1000;
  }
  return 0.3 * 2 ** (attempt - 1) * 1000;
}

export async function executeHttpRequest(
  request: ParsedHttpRequest,
  { policy, timeoutMs }: { policy: SsrfPolicy; timeoutMs: number | undefined },
): Promise<{ response: HttpResponse; logs: ChatLog[] }> {
  // The request as ky's options, the way Typebot writes it into the log details.
  const sent = { url: request.url, method: request.method, headers: request.headers, ...(request.body === undefined ? {} : 'json' in request.body ? { json: request.body.json } : { body: request.body.text }) };
  const details = (response: HttpResponse) => JSON.stringify({ statusCode: response.statusCode, response: response.data, request: sent });
  try {
    await validateHttpRequestTarget(request.url, request.headers, policy);
  } catch (error) {
    const message = `Security validation failed: ${(error as Error).message}`;
    return { response: { statusCode: 400, data: { message } }, logs: [{ status: 'error', description: message }] };
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetchValidated(request, policy, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs));
      const retriable = retryMethods.has(request.method) && retryStatuses.has(response.status) && attempt <= maxRetries;
      const result = { statusCode: response.status, data: parseData(await response.text()) };
      if (retriable) {
        await sleep(retryDelayMs(response, attempt));
        continue;
      }
      const ok = response.status >= 200 && response.status < 300;
      return { response: result, logs: [{ status: ok ? 'success' : 'error', description: ok ? webhookSuccessDescription : webhookErrorDescription, details: details(result) }] };
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        const seconds = (timeoutMs ?? 0) / 1000;
        const response = { statusCode: 408, data: { message: `Request timed out. (${seconds}s)` } };
        return { response, logs: [{ status: 'error', description: `Webhook request timed out. (${seconds}s)`, details: details(response) }] };
      }
      if ((error as { redirectRefused?: boolean }).redirectRefused === true) {
        const response = { statusCode: 500, data: { message: (error as Error).message } };
        return { response, logs: [{ status: 'error', description: webhookErrorDescription, details: details(response) }] };
      }
      if (retryMethods.has(request.method) && attempt <= maxRetries) {
        await sleep(retryDelayMs(undefined, attempt));
        continue;
      }
      const response = { statusCode: 500, data: { message: `Error from Typebot server: ${String(error)}` } };
      return { response, logs: [{ status: 'error', description: 'Webhook failed to execute.', details: details(response) }] };
    }
  }
}
