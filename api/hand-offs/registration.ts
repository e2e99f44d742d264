import type { RegistrationRow } from '../../platform/stores/registration-rows.ts';
import { correctionSubmittedSignal, driverRegistration } from '../../workflows/driver-registration.ts';
import { joinRunning, registrationStartOptions } from '../../workflows/registration-start.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import type { AppDependencies } from '../app-dependencies.ts';

type Deps = Pick<AppDependencies, 'temporal' | 'config'>;

/** Starts the registration's workflow; starting it again for the same registration is a no-op. */
export async function startRegistrationWorkflow(deps: Deps, registrationId: string, linkedToChat: boolean): Promise<void> {
  const settings = {
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    reminderAfterMs: deps.config.REVIEWER_REMINDER_AFTER,
    reminderEveryMs: deps.config.REVIEWER_REMINDER_EVERY,
  };
  await deps.temporal.workflow.start(driverRegistration, { ...registrationStartOptions(settings, registrationId, linkedToChat), workflowIdConflictPolicy: joinRunning });
}

export async function signalCorrection(deps: Pick<AppDependencies, 'temporal'>, registrationId: string): Promise<void> {
  await deps.temporal.workflow.getHandle(workflowIdOf(registrationId)).signal(correctionSubmittedSignal);
}

/**
 * What a registration stored as `received` needs from Temporal: its workflow started (a first
 * submission) or told of the correction. Safe to repeat; nothing for any other status.
 */
export async function handOffRegistration(deps: Deps, registration: Pick<RegistrationRow, 'id' | 'status' | 'correctionItems' | 'chat'>): Promise<void> {
  if (registration.status !== 'received') return;
  if (registration.correctionItems === null) await startRegistrationWorkflow(deps, registration.id, registration.chat !== null);
  else await signalCorrection(deps, registration.id);
}
