/**
 * The Typebot Chat API client used by activities (CONTRACTS.md §3): a published bot's chat,
 * no auth. Text bubbles are always asked for as Markdown. Failures are already sorted for
 * Temporal: see failures.ts. startChat and continueChat are not idempotent (a retry
 * after a lost answer moves the flow on twice): callers keep each answer and reuse it.
 */
import type { ZodType } from 'zod';
import type { TypebotStart, TypebotTurn } from '../../domain/typebot-chat.ts';
import { parseResponseBody } from '../http/parse-response-body.ts';
import type { ApiResponse } from './failures.ts';
import { describeNetworkError, unexpectedResponse } from '../http/failures.ts';
import { failureFromResponse, isSuccess, uploadFailure } from './failures.ts';
import { continueChatResponse, startChatResponse, uploadUrlResponse } from './schemas.ts';

export interface TypebotClientOptions {
  /** TYPEBOT_URL, the viewer: e.g. https://bot.example.pt (the API is under /api; a URL already ending in /api works too). */
  baseUrl: string;
  /** Per Chat API call, default 90000: the flow's HTTP Request blocks run inside it. */
  timeoutMs?: number;
  /** Per file upload to the bot's storage, default 60000. */
  uploadTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** Where and how to upload a file for a file input; `fileUrl` is then the answer. */
export interface UploadTarget {
  presignedUrl: string;
  formData: Record<string, string>;
  fileUrl: string;
  fileType?: string;
  /** In MB. */
  maxFileSize?: number;
}

export interface TypebotClient {
  /** POST /api/v1/typebots/{publicId}/startChat. Unknown variable names are ignored by Typebot; `message` only when the flow starts with an input. */
  startChat(input: { publicId: string; prefilledVariables?: Record<string, string>; message?: string }): Promise<TypebotStart>;
  /** POST /api/v1/sessions/{sessionId}/continueChat. `replyId` is a choice item's id and wins over the text. A gone session is TypebotSessionGone. */
  continueChat(sessionId: string, message: { text: string; replyId?: string }): Promise<TypebotTurn>;
  /** POST /api/v3/generate-upload-url, while the session waits on the file input `blockId`. */
  generateUploadUrl(input: { sessionId: string; blockId: string; fileName: string; fileType: string; fileSize: number }): Promise<UploadTarget>;
  /** The S3-style POST of the presigned form: its fields first, then `file` (an empty form means a presigned PUT). */
  uploadFile(presigned: { presignedUrl: string; formData: Record<string, string> }, bytes: Uint8Array, fileName: string, fileType: string): Promise<void>;
}

/** The API root: `https://bot.example.pt` → `https://bot.example.pt/api`. */
export function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/api$/.test(trimmed) ? trimmed : `${trimmed}/api`;
}

export function startChatBody(input: { prefilledVariables?: Record<string, string>; message?: string }): Record<string, unknown> {
  return {
    ...(input.prefilledVariables === undefined ? {} : { prefilledVariables: input.prefilledVariables }),
    ...(input.message === undefined ? {} : { message: { type: 'text', text: input.message } }),
    textBubbleContentFormat: 'markdown',
  };
}

export function continueChatBody(message: { text: string; replyId?: string }): Record<string, unknown> {
  const metadata = message.replyId === undefined ? {} : { metadata: { replyId: message.replyId } };
  return { message: { type: 'text', text: message.text, ...metadata }, textBubbleContentFormat: 'markdown' };
}

/** The presigned POST policy's fields, in order, then the file last (S3 ignores fields after it). */
export function uploadForm(formData: Record<string, string>, bytes: Uint8Array, fileName: string, fileType: string): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(formData)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: fileType }), fileName);
  return form;
}

export function createTypebotClient(options: TypebotClientOptions): TypebotClient {
  const root = apiRoot(options.baseUrl);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 60_000;

  async function exchange(operation: string, url: string, init: RequestInit, timeout: number): Promise<ApiResponse> {
    try {
      const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeout) });
      return { status: response.status, body: parseResponseBody(await response.text()) };
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') throw new Error(`Typebot ${operation} timed out after ${timeout} ms`);
      throw new Error(`Typebot ${operation} failed: ${describeNetworkError(error)}`);
    }
  }

  /** A JSON POST under /api whose 2xx body must match `schema`; anything else is thrown, sorted. */
  async function post<T>(operation: string, path: string, body: unknown, schema: ZodType<T, unknown>): Promise<T> {
    const init: RequestInit = {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    };
    const response = await exchange(operation, `${root}${path}`, init, timeoutMs);
    if (!isSuccess(response)) throw failureFromResponse(operation, response);
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw unexpectedResponse('Typebot', operation, parsed.error);
    return parsed.data;
  }

  return {
    startChat: (input) =>
      post('startChat', `/v1/typebots/${encodeURIComponent(input.publicId)}/startChat`, startChatBody(input), startChatResponse),

    continueChat: (sessionId, message) =>
      post('continueChat', `/v1/sessions/${encodeURIComponent(sessionId)}/continueChat`, continueChatBody(message), continueChatResponse),

    generateUploadUrl: ({ sessionId, blockId, fileName, fileType, fileSize }) =>
      post('generate-upload-url', '/v3/generate-upload-url', { sessionId, blockId, fileName, fileType, fileSize }, uploadUrlResponse),

    async uploadFile(presigned, bytes, fileName, fileType) {
      const init: RequestInit =
        Object.keys(presigned.formData).length > 0
          ? { method: 'POST', body: uploadForm(presigned.formData, bytes, fileName, fileType) }
          : { method: 'PUT', headers: { 'content-type': fileType }, body: new Blob([bytes], { type: fileType }) };
      const response = await exchange('file upload', presigned.presignedUrl, init, uploadTimeoutMs);
      if (!isSuccess(response)) throw uploadFailure(response);
    },
  };
}
