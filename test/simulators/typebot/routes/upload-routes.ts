/**
 * File uploads: POST /api/v3/generate-upload-url on the viewer, then the S3-style bucket
 * the answer points to: a browser-upload POST (the policy's fields, then `file`, last;
 * fields after it are ignored, as S3 does), 204 on success, and GET of the stored object
 * at its fileUrl.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { inputValidationFailed } from '../api-errors.ts';
import type { SimulatorState } from '../state.ts';
import { generateUploadUrl } from '../uploads/generate-upload-url.ts';
import { cacheControl, checkPostPolicy } from '../uploads/post-policy.ts';
import { replyWithS3Error } from '../uploads/s3-errors.ts';

const generateUploadUrlBody = z.object({
  sessionId: z.string(),
  blockId: z.string(),
  fileName: z.string(),
  fileType: z.string().optional(),
  fileSize: z.number().optional(),
});

/** Form fields before the `file` part, and that part. */
async function readUpload(raw: Buffer, contentType: string): Promise<{ fields: Record<string, string>; file?: File; files: number }> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, string> = {};
  let file: File | undefined;
  let files = 0;
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') files++;
    if (file !== undefined) continue;
    if (name === 'file' && typeof value !== 'string') file = value;
    else if (typeof value === 'string') fields[name] = value;
  }
  return { fields, file, files };
}

export function uploadRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post('/api/v3/generate-upload-url', async (request) => {
    const parsed = generateUploadUrlBody.safeParse(request.body ?? {});
    if (!parsed.success) throw inputValidationFailed(parsed.error.issues);
    return generateUploadUrl(state, parsed.data);
  });

  const { bucket, storageSecret, fileUploadMaxSizeMb } = state.config;
  const bodyLimit = ((fileUploadMaxSizeMb ?? 100) + 1) * 1024 * 1024;
  app.post(`/${bucket}`, { bodyLimit }, async (request, reply) => {
    const contentType = request.headers['content-type'] ?? '';
    const resource = `/${bucket}`;
    if (!contentType.startsWith('multipart/form-data') || !Buffer.isBuffer(request.body)) {
      return replyWithS3Error(reply, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', resource);
    }
    const { fields, file, files } = await readUpload(request.body, contentType);
    if (file === undefined || files !== 1) return replyWithS3Error(reply, 400, 'InvalidArgument', 'POST requires exactly one file upload per request.', resource);
    const bytes = Buffer.from(await file.arrayBuffer());
    const check = checkPostPolicy(fields, bytes.length, storageSecret, state.config.now());
    if (!check.ok) return replyWithS3Error(reply, check.status, check.code, check.message, resource);
    const key = fields.key ?? '';
    const type = fields['Content-Type'] ?? (file.type === '' ? 'binary/octet-stream' : file.type);
    state.objects.set(key, { key, bytes, contentType: type, cacheControl: fields['Cache-Control'] ?? cacheControl, uploadedAt: state.config.now() });
    return reply.code(204).header('location', `${state.config.publicBaseUrl}/${bucket}/${key}`).send();
  });

  app.get<{ Params: { '*': string } }>(`/${bucket}/*`, async (request, reply) => {
    const stored = state.objects.get(request.params['*']);
    if (stored === undefined) return replyWithS3Error(reply, 404, 'NoSuchKey', 'The specified key does not exist.', `/${bucket}/${request.params['*']}`);
    return reply.code(200).type(stored.contentType).header('cache-control', stored.cacheControl ?? cacheControl).send(stored.bytes);
  });
}
