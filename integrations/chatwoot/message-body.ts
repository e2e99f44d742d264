/**
 * The body of `POST /conversations/{id}/messages` (CONTRACTS.md §1.5): JSON for text,
 * multipart with one `attachments[]` part per file when there are files. In multipart,
 * booleans are the strings Rails reads ("true") and content_attributes is a JSON string.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import type { NewChatwootMessage } from './types.ts';
import type { RequestBody } from './transport.ts';

/** Chatwoot refuses more files than this on one message. */
export const MAX_ATTACHMENTS = 15;

export function messageBody(message: NewChatwootMessage): RequestBody {
  const attachments = message.attachments ?? [];
  if (attachments.length > MAX_ATTACHMENTS) {
    throw ApplicationFailure.nonRetryable(
      `a Chatwoot message takes at most ${MAX_ATTACHMENTS} attachments, got ${attachments.length}`,
      ErrorType.ValidationFailed,
    );
  }
  if ((message.content ?? '') === '' && attachments.length === 0) {
    throw ApplicationFailure.nonRetryable('a Chatwoot message needs content or attachments', ErrorType.ValidationFailed);
  }
  const replyTo = {
    ...(message.inReplyTo === undefined ? {} : { in_reply_to: message.inReplyTo }),
    ...(message.inReplyToExternalId === undefined ? {} : { in_reply_to_external_id: message.inReplyToExternalId }),
  };
  const contentAttributes = Object.keys(replyTo).length === 0 ? undefined : replyTo;

  if (attachments.length === 0) {
    const json: Record<string, unknown> = { content: message.content, message_type: message.messageType, private: message.private ?? false };
    if (message.sourceId !== undefined) json.source_id = message.sourceId;
    if (contentAttributes !== undefined) json.content_attributes = contentAttributes;
    return { json };
  }

  const form = new FormData();
  if (message.content !== undefined && message.content !== '') form.append('content', message.content);
  form.append('message_type', message.messageType);
  form.append('private', String(message.private ?? false));
  if (message.sourceId !== undefined) form.append('source_id', message.sourceId);
  if (contentAttributes !== undefined) form.append('content_attributes', JSON.stringify(contentAttributes));
  if (message.isVoiceMessage === true) form.append('is_voice_message', 'true');
  for (const file of attachments) {
    form.append('attachments[]', new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.filename);
  }
  return { form };
}
