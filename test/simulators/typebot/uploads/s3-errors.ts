/**
 * S3's error documents (the bucket Typebot presigns uploads for answers with these,
 * MinIO included).
 */
import type { FastifyReply } from 'fastify';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function s3ErrorXml(code: string, message: string, resource: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${Date.now().toString(16).toUpperCase()}</RequestId></Error>`
  );
}

export function replyWithS3Error(reply: FastifyReply, status: number, code: string, message: string, resource: string): FastifyReply {
  return reply.code(status).type('application/xml').send(s3ErrorXml(code, message, resource));
}
