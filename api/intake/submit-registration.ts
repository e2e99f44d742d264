import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError, ErrorType, type FieldErrors } from '../../domain/errors.ts';
import type { RegistrationStatus } from '../../domain/registration.ts';
import { documentFieldOf, documentLabel, summarizeFieldErrors, type RegistrationSubmission } from '../../domain/registration-submission.ts';
import { documentSourceErrors } from '../../domain/texts/documents.ts';
import { submissionErrors } from '../../domain/texts/intake.ts';
import { inTransaction, isUniqueViolation } from '../../platform/db.ts';
import type { ReadIntake } from '../../platform/documents/document-checks.ts';
import type { DriverFields, RegistrationRow } from '../../platform/stores/registration-rows.ts';
import {
  applyCorrectedFields, currentDocuments, deleteRegistration, insertDocuments, insertRegistration,
  linkToBotSession, lockCorrectableByPhone, lockLiveRegistrationByNif, type NewDocument,
} from '../../platform/stores/registrations.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { handOffRegistration } from '../hand-offs/registration.ts';
import { isKept, resolveDocuments, resolveLimitsOf, type ResolvedDocument, type SubmittedDocument } from './resolve-documents.ts';
import { submitterOf, targetOf, type Submitter } from './submitter.ts';

export interface IntakeResult {
  created: boolean;
  registrationId: string;
  /** What the driver is told: `received` is internal and shown as pending approval. */
  status: RegistrationStatus;
  /** The correction is stored but its workflow could not be told: the self-repair schedule does it. */
  handOffDeferred?: true;
}

const publicStatus = (status: RegistrationStatus): RegistrationStatus => (status === 'received' ? 'pending_approval' : status);

function fingerprintOf(fields: DriverFields, documents: ResolvedDocument[]): string {
  const material = JSON.stringify([fields, documents.map((doc) => [doc.kind, doc.sha256])]);
  return createHash('sha256').update(material).digest('hex');
}

/** The owner's own registration holds the NIF: the helpful answer. */
const duplicateMessage = (status: RegistrationStatus) =>
  status === 'approved' ? submissionErrors.alreadyApproved : submissionErrors.alreadyPending;
const refusedAsStranger = () => new AppError(ErrorType.DuplicateRegistration, submissionErrors.alreadyRegistered, { nif: submissionErrors.alreadyRegistered });

/** The registration changed between the look and the commit; the whole submission is decided again. */
class ChangedMeanwhile extends Error {}
const attempts = 3;

interface Submission {
  fields: DriverFields;
  documents: SubmittedDocument[];
  submitter: Submitter;
}

/** The submission's documents, a kept one as the registration's current file, and their fingerprint with the fields. */
interface Contents {
  documents: ResolvedDocument[];
  fingerprint: string;
}

type Plan = Contents & (
  | { action: 'create' }
  | { action: 'correct'; registration: RegistrationRow; via: 'nif' | 'phone'; relink: boolean }
  | { action: 'existing'; registration: RegistrationRow; refusal: AppError | null }
);

/**
 * A registration arriving from Typebot: validate everything, then store the documents and the
 * registration and start its workflow; a corrected submission goes into the registration that
 * asked for it, but only from that registration's own chat or with its correction code. The files
 * are written before the rows are committed (no file I/O inside a transaction), under keys of
 * their own; whatever fails deletes them, and a crash leaves only orphans the self-repair sweeps.
 */
export async function submitRegistration(deps: AppDependencies, intake: ReadIntake): Promise<IntakeResult> {
  const { answers, submission: parsed } = intake;
  if (!parsed.ok) throw new AppError(ErrorType.ValidationFailed, summarizeFieldErrors(parsed.fields), parsed.fields);

  const { documents: sources, ...fields } = parsed.value satisfies RegistrationSubmission;
  const { config } = deps;
  const documents = await resolveDocuments(sources, deps.documentChecks, resolveLimitsOf(config, deps.fetch));
  const submission: Submission = { fields, documents, submitter: await submitterOf(deps.db, deps.personal, answers) };

  for (let attempt = 1; ; attempt += 1) {
    try {
      return await submitOnce(deps, submission);
    } catch (error) {
      if (!(error instanceof ChangedMeanwhile)) throw error;
      if (attempt === attempts) throw new AppError(ErrorType.DuplicateRegistration, submissionErrors.changedMeanwhile);
    }
  }
}

/**
 * The documents as stored for the registration: a kept one is its current file (never a stranger's:
 * only the owner's chat or the correction code get here). Without a registration there is nothing to
 * keep, and the driver is asked for the file.
 */
async function contentsOf(deps: AppDependencies, submission: Submission, registrationId: string | null): Promise<Contents> {
  const current = registrationId === null || !submission.documents.some(isKept) ? [] : await currentDocuments(deps.db, registrationId);
  const missing: FieldErrors = {};
  const documents = submission.documents.flatMap((doc): ResolvedDocument[] => {
    if (!isKept(doc)) return [doc];
    const kept = current.filter((row) => row.kind === doc.kind).at(-1);
    if (kept !== undefined) return [{ kind: doc.kind, bytes: Buffer.alloc(0), mime: kept.mime as ResolvedDocument['mime'], sha256: kept.receivedSha256 }];
    missing[documentFieldOf[doc.kind]] = documentSourceErrors.missing(documentLabel(doc.kind));
    return [];
  });
  if (Object.keys(missing).length > 0) throw new AppError(ErrorType.ValidationFailed, summarizeFieldErrors(missing), missing);
  return { documents, fingerprint: fingerprintOf(submission.fields, documents) };
}

/** What to do with the submission, from the registration it names (if any) and who sent it. */
async function planOf(deps: AppDependencies, submission: Submission): Promise<Plan> {
  const { fields, submitter } = submission;
  const target = await targetOf(deps.db, deps.personal, fields.nif, fields.phone, submitter);
  if (target === null) return { action: 'create', ...(await contentsOf(deps, submission, null)) };
  const { registration, via, standing } = target;
  // The same answer whatever the registration's status: a stranger learns nothing from it.
  if (standing === 'stranger') throw refusedAsStranger();
  if (standing === 'wrong_code') throw new AppError(ErrorType.CorrectionRefused, submissionErrors.correctionCodeRefused, { codigo_correcao: submissionErrors.correctionCodeRefused });
  const contents = await contentsOf(deps, submission, registration.id);
  const { fingerprint } = contents;
  if (registration.status === 'correction_requested') {
    if (registration.submissionFingerprint === fingerprint) {
      throw new AppError(ErrorType.ValidationFailed, submissionErrors.unchanged(registration.correctionItems ?? []));
    }
    // From the chat, the registration follows it; with the code, it keeps its chat (or takes this one if it had none).
    const relink = submitter.linkToken !== '' && (standing === 'owner' || registration.chat === null);
    return { action: 'correct', registration, via, relink, ...contents };
  }
  // The owner, again: the status for the same data (Typebot retried), the helpful refusal for other data.
  const refusal = registration.submissionFingerprint === fingerprint
    ? null
    : new AppError(ErrorType.DuplicateRegistration, duplicateMessage(registration.status), { nif: duplicateMessage(registration.status) });
  return { action: 'existing', registration, refusal, ...contents };
}

async function submitOnce(deps: AppDependencies, submission: Submission): Promise<IntakeResult> {
  const plan = await planOf(deps, submission);
  if (plan.action === 'existing') {
    // A registration whose hand-off never happened (a crash after its commit) is repaired here: idempotent.
    await handOffRegistration(deps, plan.registration);
    if (plan.refusal !== null) throw plan.refusal;
    return { created: false, registrationId: plan.registration.id, status: publicStatus(plan.registration.status) };
  }

  const registrationId = plan.action === 'create' ? randomUUID() : plan.registration.id;
  const revisions = await revisionsFor(deps, plan, plan.documents);
  const stored = await storeFiles(deps, registrationId, plan.documents, revisions);
  let registration: Pick<RegistrationRow, 'chat' | 'correctionItems'>;
  try {
    registration = await commit(deps, plan, registrationId, submission, stored);
  } catch (error) {
    await Promise.all(stored.map((doc) => deps.storage.delete(doc.receivedKey)));
    if (isUniqueViolation(error, 'registrations_one_live_per_nif')) throw refusedAsStranger();
    throw error;
  }
  // Tests stop here to play a crash between the commit and the hand-off (nothing below runs).
  await deps.afterIntakeCommit?.(registrationId);

  const row = { id: registrationId, status: 'received' as const, ...registration };
  if (plan.action === 'create') {
    try {
      await handOffRegistration(deps, row);
    } catch (error) {
      await deleteRegistration(deps.db, registrationId);
      await Promise.all(stored.map((doc) => deps.storage.delete(doc.receivedKey)));
      throw error;
    }
    return { created: true, registrationId, status: 'pending_approval' };
  }
  // The correction is stored: a lost signal is re-sent by the self-repair schedule, so the driver is not asked again.
  const signalled = await handOffRegistration(deps, row).then(() => true, () => false);
  return { created: false, registrationId, status: 'pending_approval', ...(signalled ? {} : { handOffDeferred: true }) };
}

/** The revision each document gets: 1 for a new registration; for a correction, the next one, or none when unchanged (a kept one). */
async function revisionsFor(deps: AppDependencies, plan: Plan, documents: ResolvedDocument[]): Promise<Array<number | null>> {
  if (plan.action !== 'correct') return documents.map(() => 1);
  const current = await currentDocuments(deps.db, plan.registration.id);
  return documents.map((doc) => {
    const previous = current.filter((row) => row.kind === doc.kind).at(-1);
    return previous?.receivedSha256 === doc.sha256 ? null : (previous?.revision ?? 0) + 1;
  });
}

/** Writes the documents under fresh keys, before any transaction; a failure part-way deletes what was written. */
async function storeFiles(deps: AppDependencies, registrationId: string, documents: ResolvedDocument[], revisions: Array<number | null>): Promise<NewDocument[]> {
  const stored: NewDocument[] = [];
  try {
    for (const [index, doc] of documents.entries()) {
      const revision = revisions[index] ?? null;
      if (revision === null) continue;
      const receivedKey = `registrations/${registrationId}/received/${doc.kind}-r${revision}-${randomBytes(6).toString('hex')}`;
      await deps.storage.put(receivedKey, doc.bytes, doc.mime, doc.sha256);
      stored.push({ id: randomUUID(), kind: doc.kind, revision, receivedKey, receivedSha256: doc.sha256, mime: doc.mime, sizeBytes: doc.bytes.length });
    }
  } catch (error) {
    await Promise.all(stored.map((doc) => deps.storage.delete(doc.receivedKey)));
    throw error;
  }
  return stored;
}

/** The rows, in one short transaction, if the registration is still as the plan saw it. */
async function commit(
  deps: AppDependencies, plan: Plan & { action: 'create' | 'correct' }, registrationId: string, submission: Submission, stored: NewDocument[],
): Promise<Pick<RegistrationRow, 'chat' | 'correctionItems'>> {
  const { fields, submitter } = submission;
  const { fingerprint } = plan;
  return inTransaction(deps.db, async (client) => {
    const byNif = await lockLiveRegistrationByNif(client, deps.personal, fields.nif);
    if (plan.action === 'create') {
      if (byNif !== null) throw new ChangedMeanwhile();
      await insertRegistration(client, deps.personal, registrationId, fields, fingerprint);
      await insertDocuments(client, registrationId, stored);
      const chat = submitter.linkToken === '' ? null : await linkToBotSession(client, deps.personal, registrationId, submitter.linkToken);
      return { chat, correctionItems: null };
    }
    const locked = plan.via === 'nif' ? byNif : byNif === null ? await lockCorrectableByPhone(client, deps.personal, fields.phone) : null;
    if (locked?.id !== registrationId || locked.updatedAt.getTime() !== plan.registration.updatedAt.getTime()) throw new ChangedMeanwhile();
    if (!(await applyCorrectedFields(client, deps.personal, registrationId, fields, fingerprint))) throw new ChangedMeanwhile();
    await insertDocuments(client, registrationId, stored);
    const chat = plan.relink ? await linkToBotSession(client, deps.personal, registrationId, submitter.linkToken) : null;
    return { chat: chat ?? locked.chat, correctionItems: locked.correctionItems };
  });
}
