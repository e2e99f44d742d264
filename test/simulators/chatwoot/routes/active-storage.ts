/**
 * Rails Active Storage, as a Chatwoot with local disk storage serves files (CONTRACTS.md
 * §1.7, code-only: not part of the API spec). An attachment's `data_url` is the blob
 * redirect URL: a 302 to the disk service URL, which answers the bytes. No token needed.
 */
import type { FastifyInstance } from 'fastify';
import type { AttachmentRecord, SimulatorState } from '../state.ts';

function attachments(state: SimulatorState): AttachmentRecord[] {
  return state.messages.flatMap((message) => message.attachments);
}

export function activeStorageRoutes(app: FastifyInstance, state: SimulatorState): void {
  const notFound = { status: 404, error: 'Not Found' };

  app.get<{ Params: { signed_id: string; filename: string } }>('/rails/active_storage/blobs/redirect/:signed_id/:filename', (request, reply) => {
    const file = attachments(state).find((candidate) => candidate.signedId === request.params.signed_id);
    if (file === undefined) return reply.code(404).send(notFound);
    const query = new URLSearchParams({ content_type: file.contentType, disposition: `inline; filename="${file.filename}"` });
    const location = `${state.publicUrl}/rails/active_storage/disk/${file.key}/${encodeURIComponent(file.filename)}?${query.toString()}`;
    return reply.code(302).header('location', location).send();
  });

  app.get<{ Params: { encoded_key: string; filename: string } }>('/rails/active_storage/disk/:encoded_key/:filename', (request, reply) => {
    const file = attachments(state).find((candidate) => candidate.key === request.params.encoded_key);
    if (file === undefined) return reply.code(404).send(notFound);
    return reply
      .code(200)
      .type(file.contentType)
      .header('content-disposition', `inline; filename="${file.filename.replace(/"/g, '')}"`)
      .send(file.bytes);
  });
}
