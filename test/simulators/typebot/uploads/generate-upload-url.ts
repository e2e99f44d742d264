/**
 * POST /api/v3/generate-upload-url (the viewer's handleGenerateUploadUrl): only for a
 * session waiting on a file input (or a text input taking attachments or audio clips);
 * the declared type must be allowed, the size within the block's limit. Answers a POST
 * policy for the bucket and the URL the file will have, which is what the reply carries.
 * As in Typebot, `blockId` names the stored file's folder; the check is on the block the
 * session waits on.
 */
import { basename } from 'node:path';
import { ApiError } from '../api-errors.ts';
import { BlockType } from '../flow-types.ts';
import type { SimulatorState } from '../state.ts';
import { allowedFileTypes } from './file-types.ts';
import { createPostPolicy } from './post-policy.ts';

export interface GenerateUploadUrlInput {
  sessionId: string;
  blockId: string;
  fileName: string;
  fileType?: string;
  fileSize?: number;
}

const badRequest = (message: string) => new ApiError('BAD_REQUEST', message);

export function generateUploadUrl(state: SimulatorState, input: GenerateUploadUrlInput): Record<string, unknown> {
  const session = state.sessions.get(input.sessionId);
  if (session === undefined) throw badRequest("Can't find session");
  if (session.currentBlockId === undefined) throw badRequest("Can't find currentBlockId in session state");
  const block = session.flow.groups.flatMap((group) => group.blocks).find((candidate) => candidate.id === session.currentBlockId);
  const takesFiles =
    block?.type === BlockType.fileInput ||
    (block?.type === BlockType.textInput && (block.options?.attachments as { isEnabled?: boolean } | undefined)?.isEnabled === true) ||
    (block?.type === BlockType.textInput && block.options?.audioClip?.isEnabled === true);
  if (block === undefined || !takesFiles) throw badRequest('Current block does not expect file upload');

  const allowed = block.type === BlockType.fileInput ? allowedFileTypes(block.options?.allowedFileTypes) : undefined;
  if (allowed !== undefined && allowed.length > 0 && (input.fileType === undefined || !allowed.some((entry) => entry.mimeType === input.fileType))) {
    throw badRequest(`File type ${input.fileType} not allowed`);
  }
  const maxFileSize = block.type === BlockType.fileInput && block.options?.sizeLimit !== undefined ? block.options.sizeLimit : state.config.fileUploadMaxSizeMb;
  if (maxFileSize !== undefined && input.fileSize !== undefined && input.fileSize > maxFileSize * 1024 * 1024) {
    throw badRequest(`File size exceeds the ${maxFileSize}MB limit`);
  }

  const { publicBaseUrl, bucket } = state.config;
  const workspaceId = session.flow.workspaceId ?? 'sim-workspace';
  const typebotId = session.flow.id ?? state.config.publicId;
  const key = `public/workspaces/${workspaceId}/typebots/${typebotId}/results/${session.resultId}/blocks/${input.blockId}/${basename(input.fileName)}`;
  const formData = createPostPolicy({ bucket, key, fileType: input.fileType, maxFileSizeMb: maxFileSize, secret: state.config.storageSecret, now: state.config.now() });
  const presignedUrl = `${publicBaseUrl}/${bucket}`;
  return { presignedUrl, formData, fileUrl: `${presignedUrl}/${key}`, fileType: input.fileType, maxFileSize };
}
