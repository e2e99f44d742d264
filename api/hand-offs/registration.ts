import { workflowIdOf } from '../../domain/registration.ts';
import { correctionSubmittedSignal, driverRegistration } from '../../workflows/driver-registration.ts';
import { RegistrationIdAttribute, RegistrationStatusAttribute } from '../../workflows/search-attributes.ts';
import type { AppDependencies } from '../app-dependencies.ts';

/** Starts the registration's workflow; starting it again for the same registration is a no-op. */
export async function startRegistrationWorkflow(deps: Pick<AppDependencies, 'temporal' | 'config'>, registrationId: string, linkedToChat: boolean): Promise<void> {
  await deps.temporal.workflow.start(driverRegistration, {
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
  });
}

export async function signalCorrection(deps: Pick<AppDependencies, 'temporal'>, registrationId: string): Promise<void> {
  await deps.temporal.workflow.getHandle(workflowIdOf(registrationId)).signal(correctionSubmittedSignal);
}
