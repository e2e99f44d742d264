import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { getExternalWorkflowHandle, log, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { RegistrationActivities } from '../activities/registration/index.ts';
import { workflowIdOf } from '../domain/registration.ts';
import { correctionSubmittedSignal, driverRegistration } from './driver-registration.ts';
import { registrationStartOptions, type RegistrationStartSettings } from './registration-start.ts';
import { RegistrationStatusAttribute } from './search-attributes.ts';

/**
 * Repairs what a crash left half-finished, run by a Temporal Schedule (every SELF_REPAIR_EVERY):
 * a registration committed whose workflow never started gets it started; a corrected registration
 * whose workflow still waits for the correction gets the signal again; document files no row refers
 * to are deleted once old enough. Only ids pass through here.
 */
export interface SelfRepairInput {
  registrations: RegistrationStartSettings;
  /** A registration `received` for longer than this is looked at (the API's own hand-off takes milliseconds). */
  stalledAfterMs: number;
  /** A document file no row refers to is deleted once this old (an intake may be between its file write and its commit). */
  orphanAgeMs: number;
}

export interface SelfRepairResult {
  started: number;
  signalled: number;
  orphansDeleted: number;
}

const repairs = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function selfRepair(input: SelfRepairInput): Promise<SelfRepairResult> {
  const result: SelfRepairResult = { started: 0, signalled: 0, orphansDeleted: 0 };
  const stalled = await repairs.findStalledRegistrations({ stalledAfterMs: input.stalledAfterMs, statusAttribute: RegistrationStatusAttribute.name });

  for (const registration of stalled) {
    const { registrationId } = registration;
    if (registration.workflow === null && !registration.corrected) {
      try {
        // Abandoned: it lives on as the registration's own workflow after this run ends.
        await startChild(driverRegistration, {
          ...registrationStartOptions(input.registrations, registrationId, registration.linkedToChat),
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (error) {
        // Started meanwhile by the API (a resubmission, a reviewer): nothing left to repair. Any other
        // failure is this registration's alone: the rest, and the sweep, still get their turn.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) log.warn('Could not start a stalled registration\'s workflow', { registrationId });
        continue;
      }
      await repairs.recordRepair({ kind: 'workflow_started', registrationId });
      result.started += 1;
    } else if (registration.corrected && registration.workflow?.running === true && registration.workflow.registrationStatus === 'correction_requested') {
      try {
        await getExternalWorkflowHandle(workflowIdOf(registrationId)).signal(correctionSubmittedSignal);
      } catch {
        // It closed since it was looked at: nothing to tell it; the next run sees it as it is then.
        log.warn('Could not re-send a correction signal', { registrationId });
        continue;
      }
      await repairs.recordRepair({ kind: 'correction_signalled', registrationId });
      result.signalled += 1;
    } else if (registration.workflow === null) {
      log.warn('A corrected registration has no workflow: left for an operator', { registrationId });
    }
  }

  result.orphansDeleted = (await repairs.sweepOrphanDocuments({ olderThanMs: input.orphanAgeMs })).deleted;
  return result;
}
