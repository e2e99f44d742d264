/**
 * multipart/form-data as Rails reads it: text fields as strings, `name[]` parts collected
 * into an array, files with their filename and MIME type. Parsed with the platform's own
 * FormData parser (undici), so no multipart library is needed.
 */
import type { UploadedFile } from './store-conversations.ts';

export class MultipartBody {
  constructor(
    readonly fields: Readonly<Record<string, string>>,
    /** Keyed by the part name as sent, e.g. `attachments[]`. */
    readonly files: Readonly<Record<string, UploadedFile[]>>,
  ) {}
}

export async function parseMultipart(raw: Buffer, contentType: string): Promise<MultipartBody> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, string> = {};
  const files: Record<string, UploadedFile[]> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      fields[name] = value;
      continue;
    }
    const file: UploadedFile = {
      filename: value.name,
      contentType: value.type === '' ? 'application/octet-stream' : value.type,
      bytes: Buffer.from(await value.arrayBuffer()),
    };
    (files[name] ??= []).push(file);
  }
  return new MultipartBody(fields, files);
}
