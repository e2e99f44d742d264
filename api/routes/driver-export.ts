import { strToU8, zipSync, type Zippable } from 'fflate';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { chatMediaFolder, legacyChatMediaFolder } from '../../platform/storage/chat-media-key.ts';
import { fieldRevisions } from '../../platform/stores/console-views.ts';
import { auditOf, documentsOf, messagesAbout, registrationsOfDriver, type DriverLookup } from '../../platform/stores/driver-data.ts';
import type { DocumentRow, RegistrationRow } from '../../platform/stores/registration-rows.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { operatorsOnly, reviewerGuard } from '../reviewer-auth.ts';
import { driverLookupBody, lookupOf } from './driver-lookup.ts';

const extensions: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/heic': 'heic', 'application/pdf': 'pdf' };

const registrationView = (row: RegistrationRow) => ({
  id: row.id, status: row.status, full_name: row.fullName, nif: row.nif, phone: row.phone, email: row.email, address: row.address,
  postal_code: row.postalCode, city: row.city, created_at: row.createdAt, updated_at: row.updatedAt, decided_by: row.decidedBy, decided_at: row.decidedAt,
  rejection_reason: row.rejectionReason, correction: row.correctionItems === null ? null : { items: row.correctionItems, message: row.correctionMessage },
  whatsapp_chat: row.chat?.whatsappChatId ?? null, chatwoot_conversation: row.chat?.chatwootConversationId ?? null,
});

/**
 * An access request answered (operators only): everything held about a driver, found by one of their
 * registrations, their NIF or their phone, as a ZIP: `dados.json` (every registration with every field,
 * each document's revisions, the audit trail, the WhatsApp messages sent about it) and the files
 * themselves, decrypted (`documentos/…`, the chat's media under `conversa/…`). Nothing of anyone
 * else: only rows of those registrations. Audited, one row per registration.
 */
export const driverExportRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsyncZod => async (app) => {
  app.addHook('onRequest', reviewerGuard(deps.db, deps.config.REVIEWER_TOKENS, deps.config.OPERATOR_TOKENS, limits));
  app.addHook('preHandler', operatorsOnly);
  const exportDriver = createExportDriver(deps);
  app.post('/drivers/export', { schema: { body: driverLookupBody } }, async (request, reply) => {
    const { zip, fileName } = await exportDriver(request, lookupOf(request.body));
    return reply.header('content-type', 'application/zip').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${fileName}"`).send(zip);
  });
};

/** The export itself, as the JSON route and the console's operators run it (the caller checked the role). */
export function createExportDriver(deps: AppDependencies): (request: FastifyRequest, lookup: DriverLookup) => Promise<{ zip: Buffer; fileName: string }> {
  async function fileOf(doc: DocumentRow): Promise<Uint8Array | null> {
    const key = doc.storageKey ?? doc.receivedKey;
    if (key === null) return null;
    // A revision whose file is gone (a superseded original, deleted once processed) is listed without it.
    return deps.storage.get(key).then((file) => file.bytes, (error: unknown) => {
      if (error instanceof AppError && error.type === ErrorType.NotFound) return null;
      throw error;
    });
  }

  return async function exportDriver(request, lookup) {
    const registrations = await registrationsOfDriver(deps.db, deps.personal, lookup);
    if (registrations.length === 0) throw new AppError(ErrorType.NotFound, 'No registration holds that driver');
    const ids = registrations.map((row) => row.id);
    const [documents, trail, messages, revisions] = await Promise.all([
      documentsOf(deps.db, ids), auditOf(deps.db, ids), messagesAbout(deps.db, ids), Promise.all(registrations.map((row) => fieldRevisions(deps.db, deps.personal, row))),
    ]);
    const files: Zippable = {};
    const documentViews = new Map<string, object[]>();
    for (const doc of documents) {
      const bytes = await fileOf(doc);
      const name = `documentos/${doc.registrationId}/${doc.kind}-r${doc.revision}.${extensions[doc.mime] ?? 'bin'}`;
      if (bytes !== null) files[name] = bytes;
      documentViews.set(doc.registrationId, [...(documentViews.get(doc.registrationId) ?? []), {
        kind: doc.kind, revision: doc.revision, status: doc.status, mime: doc.mime, size_bytes: doc.sizeBytes, width: doc.width, height: doc.height,
        received_at: doc.createdAt, file: bytes === null ? null : name,
      }]);
    }
    const chats = [...new Set(registrations.flatMap((row) => (row.chat === null ? [] : [row.chat.whatsappChatId])))];
    const media: string[] = [];
    for (const chatId of chats) {
      const folders = [chatMediaFolder(deps.personal, chatId), legacyChatMediaFolder(chatId)];
      for (const { key } of (await Promise.all(folders.map((folder) => deps.storage.list(folder)))).flat()) {
        const name = `conversa/${key.split('/').at(-1)!}`;
        files[name] = (await deps.storage.get(key)).bytes;
        media.push(name);
      }
    }
    const data = {
      exported_at: new Date(),
      registrations: registrations.map((row, index) => ({
        ...registrationView(row),
        // The fields as they were before each correction replaced them (revision 1: the first submission).
        earlier_fields: revisions[index]!.map((revision) => ({
          revision: revision.revision, replaced_at: revision.replacedAt, full_name: revision.fields.fullName, nif: revision.fields.nif, phone: revision.fields.phone,
          email: revision.fields.email, address: revision.fields.address, postal_code: revision.fields.postalCode, city: revision.fields.city,
        })),
        documents: documentViews.get(row.id) ?? [],
        audit: trail.filter((entry) => entry.registrationId === row.id).map(({ registrationId: _, ...entry }) => entry),
        whatsapp_messages: messages.filter((message) => message.registrationId === row.id).map(({ registrationId: _, ...message }) => message),
      })),
      chat_media: media,
    };
    files['dados.json'] = strToU8(JSON.stringify(data, null, 2));
    const zip = Buffer.from(zipSync(files, { level: 6 }));
    for (const id of ids) await audit(deps.db, request, { action: 'export_driver', outcome: 'accepted', registrationId: id, details: { files: Object.keys(files).length } });
    return { zip, fileName: `dados-motorista-${ids[0]}.zip` };
  };
}
