/**
 * A reviewer's decision, as the JSON routes and the console both make it: a Temporal Update with a
 * validator, so the reviewer gets the workflow's real answer (recorded, or refused and why), and
 * each attempt is audited under `request.reviewer`.
 */
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import { AppError, ErrorType } from '../domain/errors.ts';
import { workflowIdOf, type CorrectableItem } from '../domain/registration.ts';
import { getRegistration } from '../platform/stores/registrations.ts';
import { approveUpdate, rejectUpdate, requestCorrectionUpdate, type DecisionResult } from '../workflows/driver-registration.ts';
import type { AppDependencies } from './app-dependencies.ts';
import { audit } from './audit.ts';
import { startRegistrationWorkflow } from './hand-offs/registration.ts';

export type DecisionRequest =
  | { kind: 'approve' }
  | { kind: 'reject'; reason: string }
  | { kind: 'request_correction'; items: CorrectableItem[]; message: string };

export type Decide = (request: FastifyRequest, registrationId: string, decision: DecisionRequest) => Promise<{ registration_id: string; status: string }>;

export function createDecide(deps: AppDependencies): Decide {
  const handle = (id: string) => deps.temporal.workflow.getHandle(workflowIdOf(id));
  const updateOf = (registrationId: string, decision: DecisionRequest) => (reviewer: string, updateId: string): Promise<DecisionResult> => {
    switch (decision.kind) {
      case 'approve':
        return handle(registrationId).executeUpdate(approveUpdate, { updateId, args: [{ reviewer }] });
      case 'reject':
        return handle(registrationId).executeUpdate(rejectUpdate, { updateId, args: [{ reviewer, reason: decision.reason }] });
      case 'request_correction':
        return handle(registrationId).executeUpdate(requestCorrectionUpdate, { updateId, args: [{ reviewer, items: decision.items, message: decision.message }] });
    }
  };

  return async function decide(request, registrationId, decision) {
    const { kind: action, ...details } = decision;
    const run = updateOf(registrationId, decision);
    const registration = await getRegistration(deps.db, deps.personal, registrationId);
    if (registration === null) throw new AppError(ErrorType.NotFound, 'Registration not found');
    const refuse = async (reason: string) => {
      await audit(deps.db, request, { action, outcome: 'refused', registrationId, details: { ...details, error: reason } });
      return new AppError(ErrorType.InvalidDecision, reason);
    };
    // A decided registration's workflow has finished; refuse without asking Temporal.
    if (registration.status === 'approved' || registration.status === 'rejected') {
      throw await refuse(`The registration is already ${registration.status}`);
    }
    try {
      // A stable id per request: Temporal runs an Update once per id, so retrying the call is safe.
      const updateId = `${action}-${request.id}-${randomUUID()}`;
      const result = await run(request.reviewer!, updateId).catch(async (error: unknown) => {
        if (error instanceof WorkflowNotFoundError && registration.status === 'received' && registration.correctionItems === null) {
          // Committed but never started (the API crashed in between): start it now, then decide.
          request.log.warn({ registrationId, action }, 'registration without its workflow: starting it before the decision');
          await startRegistrationWorkflow(deps, registrationId, registration.chat !== null);
          return run(request.reviewer!, updateId);
        }
        if (!(error instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) throw error;
        request.log.warn({ registrationId, action }, 'decision update timed out; retrying once with the same update id');
        return run(request.reviewer!, updateId);
      });
      await audit(deps.db, request, { action, outcome: 'accepted', registrationId, details });
      return { registration_id: result.registrationId, status: result.status };
    } catch (error) {
      const refusal = refusalOf(error) ?? (error instanceof WorkflowNotFoundError ? `The registration is ${registration.status}, not awaiting a decision` : null);
      if (refusal !== null) throw await refuse(refusal);
      await audit(deps.db, request, { action, outcome: 'failed', registrationId, details: { ...details, error: String(error) } });
      throw error;
    }
  };
}

/** The validator's or handler's reason when the workflow refused the decision, else null. */
function refusalOf(error: unknown): string | null {
  if (!(error instanceof WorkflowUpdateFailedError)) return null;
  // Refusals come from the validator (ApplicationFailure) or from recording it (ActivityFailure → ApplicationFailure).
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure && (cause.type === ErrorType.InvalidDecision || cause.type === ErrorType.RegistrationNotFound)) {
      return cause.message;
    }
  }
  return null;
}
