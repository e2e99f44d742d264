import { workflowIdOf } from '../../domain/registration.ts';
import { correctionSubmittedSignal, driverRegistration } from '../../workflows/driver-registration.ts';
import { RegistrationIdAttribute, RegistrationStatusAttribute } from '../../workflows/search-attributes.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { withinDeadline } from './deadline.ts';

type HandOffDeps = Pick<AppDependencies, 'temporal' | 'config'>;

/** A Temporal call that fails at TEMPORAL_HANDOFF_DEADLINE (answered 503) instead of hanging while Temporal is unreachable. */
const handOff = <T>(deps: HandOffDeps, call: () => Promise<T>) => withinDeadline(deps.temporal, deps.config.TEMPORAL_HANDOFF_DEADLINE, call);

/** Starts the registration's workflow; starting it again for the same registration is a no-op. */
export async function startRegistrationWorkflow(deps: HandOffDeps, registrationId: string, linkedToChat: boolean): Promise<void> {
  await handOff(deps, () => deps.temporal.workflow.start(driverRegistration, {
    workflowId: workflowIdOf(registrationId),
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    args: [{
      registrationId,
      reminderAfterMs: deps.config.REVIEWER_REMINDER_AFTER,
      reminderEveryMs: deps.config.REVIEWER_REMINDER_EVERY,
      ...(linkedToChat ? { linkedToChat } : {}),
    }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: RegistrationIdAttribute, value: registrationId },
      { key: RegistrationStatusAttribute, value: 'received' },
    ],
  }));
}

export async function signalCorrection(deps: HandOffDeps, registrationId: string): Promise<void> {
  await handOff(deps, () => deps.temporal.workflow.getHandle(workflowIdOf(registrationId)).signal(correctionSubmittedSignal));
}
