import type { RegistrationRow } from '../../platform/stores/registration-rows.ts';
import { correctionSubmittedSignal, driverRegistration } from '../../workflows/driver-registration.ts';
import { joinRunning, registrationStartOptions } from '../../workflows/registration-start.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { withinDeadline } from './deadline.ts';

type HandOffDeps = Pick<AppDependencies, 'temporal' | 'config'>;

/** A Temporal call that fails at TEMPORAL_HANDOFF_DEADLINE (answered 503) instead of hanging while Temporal is unreachable. */
const handOff = <T>(deps: HandOffDeps, call: () => Promise<T>) => withinDeadline(deps.temporal, deps.config.TEMPORAL_HANDOFF_DEADLINE, call);

/** Starts the registration's workflow; starting it again for the same registration is a no-op. */
export async function startRegistrationWorkflow(deps: HandOffDeps, registrationId: string, linkedToChat: boolean): Promise<void> {
  const settings = {
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    reminderAfterMs: deps.config.REVIEWER_REMINDER_AFTER,
    reminderEveryMs: deps.config.REVIEWER_REMINDER_EVERY,
  };
  await handOff(deps, () => deps.temporal.workflow.start(driverRegistration, { ...registrationStartOptions(settings, registrationId, linkedToChat), workflowIdConflictPolicy: joinRunning }));
}

export async function signalCorrection(deps: HandOffDeps, registrationId: string): Promise<void> {
  await handOff(deps, () => deps.temporal.workflow.getHandle(workflowIdOf(registrationId)).signal(correctionSubmittedSignal));
}

/**
 * What a registration stored as `received` needs from Temporal: its workflow started (a first
 * submission) or told of the correction. Safe to repeat; nothing for any other status.
 */
export async function handOffRegistration(deps: HandOffDeps, registration: Pick<RegistrationRow, 'id' | 'status' | 'correctionItems' | 'chat'>): Promise<void> {
  if (registration.status !== 'received') return;
  if (registration.correctionItems === null) await startRegistrationWorkflow(deps, registration.id, registration.chat !== null);
  else await signalCorrection(deps, registration.id);
}
