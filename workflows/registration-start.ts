import type { WorkflowIdConflictPolicy } from '@temporalio/common';
import { workflowIdOf } from '../domain/registration.ts';
import type { DriverRegistrationInput } from './driver-registration.ts';
import { RegistrationIdAttribute, RegistrationStatusAttribute } from './search-attributes.ts';

export interface RegistrationStartSettings {
  taskQueue: string;
  reminderAfterMs: number;
  reminderEveryMs: number;
}

/**
 * How a registration's workflow is started, wherever it is started from: the intake's hand-off (a
 * client start) and the self-repair workflow (a child it abandons). One id per registration, so a
 * second start finds the first.
 */
export function registrationStartOptions(settings: RegistrationStartSettings, registrationId: string, linkedToChat: boolean) {
  const input: DriverRegistrationInput = {
    registrationId,
    reminderAfterMs: settings.reminderAfterMs,
    reminderEveryMs: settings.reminderEveryMs,
    ...(linkedToChat ? { linkedToChat } : {}),
  };
  return {
    workflowId: workflowIdOf(registrationId),
    taskQueue: settings.taskQueue,
    args: [input] as [DriverRegistrationInput],
    typedSearchAttributes: [
      { key: RegistrationIdAttribute, value: registrationId },
      { key: RegistrationStatusAttribute, value: 'received' },
    ],
  };
}

/** A start through the client joins the workflow already running under the id. */
export const joinRunning: WorkflowIdConflictPolicy = 'USE_EXISTING';
