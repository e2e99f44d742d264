import { createHash, randomUUID } from 'node:crypto';
import { AppError, ErrorType } from '../../domain/errors.ts';
import type { RegistrationStatus } from '../../domain/registration.ts';
import { parseRegistrationSubmission, summarizeFieldErrors, type RegistrationSubmission } from '../../domain/registration-submission.ts';
import { submissionErrors } from '../../domain/texts/intake.ts';
import { flattenTypebotPayload } from '../../domain/typebot-payload.ts';
import { inTransaction, isUniqueViolation } from '../../platform/db.ts';
import type { DriverFields, RegistrationRow } from '../../platform/stores/registration-rows.ts';
import {
  applyCorrectedFields, currentDocuments, deleteRegistration, insertDocuments, insertRegistration,
  linkToBotSession, lockLiveRegistrationByNif, lockCorrectableByPhone, type NewDocument,
} from '../../platform/stores/registrations.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { resolveDocuments, type ResolvedDocument } from './resolve-documents.ts';
import { signalCorrection, startRegistrationWorkflow } from '../hand-offs/registration.ts';

export interface IntakeResult {
  created: boolean;
  registrationId: string;
  /** What the driver is told: `received` is internal and shown as pending approval. */
  status: RegistrationStatus;
}

const publicStatus = (status: RegistrationStatus): RegistrationStatus => (status === 'received' ? 'pending_approval' : status);

function fingerprintOf(fields: DriverFields, documents: ResolvedDocument[]): string {
  const material = JSON.stringify([fields, documents.map((doc) => [doc.kind, doc.sha256])]);
  return createHash('sha256').update(material).digest('hex');
}

const duplicateMessage = (status: RegistrationStatus) =>
  status === 'approved' ? submissionErrors.alreadyApproved : submissionErrors.alreadyPending;

/**
 * A registration arriving from Typebot: validate everything, then store the documents and the
 * registration together and start its workflow; a corrected submission goes into the registration
 * that asked for it. Whatever fails leaves no row, no file and no workflow behind.
 */
export async function submitRegistration(deps: AppDependencies, body: unknown): Promise<IntakeResult> {
  const flat = flattenTypebotPayload(body);
  if (!flat.ok) throw new AppError(ErrorType.MalformedPayload, flat.error);
  const parsed = parseRegistrationSubmission(flat.value);
  if (!parsed.ok) throw new AppError(ErrorType.ValidationFailed, summarizeFieldErrors(parsed.fields), parsed.fields);

  const { documents: sources, ...fields } = parsed.value satisfies RegistrationSubmission;
  // Posted back by the bot's flow: which chat this registration came from (see bot_sessions).
  const linkToken = typeof flat.value.sessao_conversa === 'string' ? flat.value.sessao_conversa.trim() : '';
  const { config } = deps;
  const documents = await resolveDocuments(sources, deps.documentChecks, {
    maxBytes: config.DOCUMENT_MAX_MB,
    maxPixels: Math.round(config.DOCUMENT_MAX_MEGAPIXELS * 1_000_000),
    allowedHosts: config.DOCUMENT_URL_ALLOWED_HOSTS,
    timeoutMs: config.DOCUMENT_URL_TIMEOUT,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const fingerprint = fingerprintOf(fields, documents);

  const storedKeys: string[] = [];
  const storeAll = async (registrationId: string, revisionOf: (doc: ResolvedDocument) => number | null): Promise<NewDocument[]> => {
    const stored: NewDocument[] = [];
    for (const doc of documents) {
      const revision = revisionOf(doc);
      if (revision === null) continue;
      const receivedKey = `registrations/${registrationId}/received/${doc.kind}-r${revision}`;
      await deps.storage.put(receivedKey, doc.bytes, doc.mime, doc.sha256);
      storedKeys.push(receivedKey);
      stored.push({ id: randomUUID(), kind: doc.kind, revision, receivedKey, receivedSha256: doc.sha256, mime: doc.mime, sizeBytes: doc.bytes.length });
    }
    return stored;
  };

  type Plan = { action: 'existing' | 'created' | 'corrected'; registration: Pick<RegistrationRow, 'id' | 'status' | 'correctionItems' | 'chat'> };
  let plan: Plan;
  try {
    plan = await inTransaction(deps.db, async (client): Promise<Plan> => {
      const live = (await lockLiveRegistrationByNif(client, fields.nif)) ?? (await lockCorrectableByPhone(client, fields.phone));
      if (live?.submissionFingerprint === fingerprint) {
        if (live.status === 'correction_requested') {
          throw new AppError(ErrorType.ValidationFailed, submissionErrors.unchanged(live.correctionItems ?? []));
        }
        return { action: 'existing', registration: live };
      }
      if (live?.status === 'correction_requested') {
        const current = await currentDocuments(client, live.id);
        const newest = (doc: ResolvedDocument) => current.filter((row) => row.kind === doc.kind).at(-1);
        const replaced = await storeAll(live.id, (doc) => {
          const previous = newest(doc);
          return previous?.receivedSha256 === doc.sha256 ? null : (previous?.revision ?? 0) + 1;
        });
        await applyCorrectedFields(client, live.id, fields, fingerprint);
        await insertDocuments(client, live.id, replaced);
        if (linkToken !== '') await linkToBotSession(client, live.id, linkToken);
        return { action: 'corrected', registration: { ...live, status: 'received' } };
      }
      if (live !== null) throw new AppError(ErrorType.DuplicateRegistration, duplicateMessage(live.status), { nif: duplicateMessage(live.status) });
      const id = randomUUID();
      await insertRegistration(client, id, fields, fingerprint);
      await insertDocuments(client, id, await storeAll(id, () => 1));
      const chat = linkToken === '' ? null : await linkToBotSession(client, id, linkToken);
      return { action: 'created', registration: { id, status: 'received', correctionItems: null, chat } };
    });
  } catch (error) {
    await Promise.all(storedKeys.map((key) => deps.storage.delete(key)));
    if (isUniqueViolation(error, 'registrations_one_live_per_nif')) {
      throw new AppError(ErrorType.DuplicateRegistration, duplicateMessage('pending_approval'), { nif: duplicateMessage('pending_approval') });
    }
    throw error;
  }

  const { registration } = plan;
  const handOff = async () => {
    // A submission seen before may still lack its hand-off if that earlier answer failed: redo it (idempotent).
    if (registration.status !== 'received') return;
    if (registration.correctionItems === null) await startRegistrationWorkflow(deps, registration.id, registration.chat !== null);
    else await signalCorrection(deps, registration.id);
  };
  try {
    await handOff();
  } catch (error) {
    if (plan.action === 'created') {
      await deleteRegistration(deps.db, registration.id);
      await Promise.all(storedKeys.map((key) => deps.storage.delete(key)));
    }
    throw error;
  }
  return { created: plan.action === 'created', registrationId: registration.id, status: publicStatus(registration.status) };
}
