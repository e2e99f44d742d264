import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { currentDocuments, getDocument, getRegistration, listRegistrations } from '../../platform/stores/registrations.ts';
import type { DocumentRow, RegistrationRow } from '../../platform/stores/registration-rows.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { reviewerGuard } from '../reviewer-auth.ts';
import { documentParams, listQuery, registrationParams } from './reviewer-schemas.ts';

const summary = (row: RegistrationRow) => ({
  id: row.id, status: row.status, full_name: row.fullName, nif: row.nif, city: row.city, created_at: row.createdAt, updated_at: row.updatedAt,
});

const documentView = (registrationId: string, doc: DocumentRow) => ({
  id: doc.id, kind: doc.kind, revision: doc.revision, status: doc.status, mime: doc.mime, size_bytes: doc.sizeBytes,
  width: doc.width, height: doc.height, sha256: doc.sha256, received_at: doc.createdAt, processed_at: doc.processedAt,
  links: {
    original: `/drivers/${registrationId}/documents/${doc.id}`,
    thumbnail: doc.thumbnailKey === null ? null : `/drivers/${registrationId}/documents/${doc.id}/thumbnail`,
  },
});

/** What reviewers read: the queue, one registration, and its documents (every view audited). */
export const reviewerRegistrationRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  app.addHook('onRequest', reviewerGuard(deps.db, deps.config.REVIEWER_TOKENS, deps.config.OPERATOR_TOKENS, limits));

  app.get('/drivers', { schema: { querystring: listQuery } }, async (request) => {
    const { items, total } = await listRegistrations(deps.db, deps.personal, request.query);
    await audit(deps.db, request, { action: 'list_registrations', outcome: 'accepted', registrationId: null, details: { ...request.query } });
    return { total, limit: request.query.limit, offset: request.query.offset, items: items.map(summary) };
  });

  app.get('/drivers/:id', { schema: { params: registrationParams } }, async (request) => {
    const registration = await getRegistration(deps.db, deps.personal, request.params.id);
    if (registration === null) throw new AppError(ErrorType.NotFound, 'Registration not found');
    const documents = await currentDocuments(deps.db, registration.id);
    await audit(deps.db, request, { action: 'view_registration', outcome: 'accepted', registrationId: registration.id });
    return {
      ...summary(registration),
      phone: registration.phone, email: registration.email, address: registration.address, postal_code: registration.postalCode,
      decided_by: registration.decidedBy, decided_at: registration.decidedAt, rejection_reason: registration.rejectionReason,
      correction: registration.correctionItems === null ? null : { items: registration.correctionItems, message: registration.correctionMessage },
      documents: documents.map((doc) => documentView(registration.id, doc)),
    };
  });

  for (const variant of ['original', 'thumbnail'] as const) {
    const url = variant === 'original' ? '/drivers/:id/documents/:documentId' : '/drivers/:id/documents/:documentId/thumbnail';
    app.get(url, { schema: { params: documentParams } }, async (request, reply) => {
      const { doc, file } = await readDocument(deps, request, request.params.id, request.params.documentId, variant);
      return reply
        .header('content-type', file.contentType)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `inline; filename="${doc.kind}-r${doc.revision}"`)
        .send(file.bytes);
    });
  }
};

/** A registration's document file (its processed original or its thumbnail), the view audited; 404 when there is none. */
export async function readDocument(deps: AppDependencies, request: FastifyRequest, registrationId: string, documentId: string, variant: 'original' | 'thumbnail') {
  const doc = await getDocument(deps.db, registrationId, documentId);
  const key = variant === 'original' ? (doc?.storageKey ?? doc?.receivedKey) : doc?.thumbnailKey;
  if (doc === null || key === null || key === undefined) throw new AppError(ErrorType.NotFound, `Document ${variant} not found`);
  const file = await deps.storage.get(key);
  await audit(deps.db, request, {
    action: variant === 'original' ? 'view_document' : 'view_thumbnail', outcome: 'accepted', registrationId: doc.registrationId, documentId: doc.id,
  });
  return { doc, file };
}
