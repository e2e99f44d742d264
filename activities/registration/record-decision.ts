import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import type { Decision } from '../../domain/registration.ts';
import { getRegistration, recordDecision } from '../../platform/stores/registrations.ts';
import type { RegistrationDependencies } from './dependencies.ts';

export function createRecordDecision({ db, personal, metrics }: Pick<RegistrationDependencies, 'db' | 'personal' | 'metrics'>) {
  return async function recordDecisionActivity(input: { registrationId: string; decision: Decision }): Promise<void> {
    const { registrationId, decision } = input;
    const recorded = await recordDecision(db, registrationId, decision);
    if (recorded !== null) {
      metrics.decisions.inc({ decision: decision.kind });
      metrics.timeToDecisionSeconds.observe({ decision: decision.kind }, recorded.waitedMs / 1000);
      return;
    }
    // A retry after a lost reply finds its own decision already recorded: that is success.
    const current = await getRegistration(db, personal, registrationId);
    if (current?.status === decision.kind && current.decidedBy === decision.reviewer) return;
    throw ApplicationFailure.nonRetryable(
      `Registration ${registrationId} is ${current?.status ?? 'missing'}, not awaiting a decision`,
      current === null ? ErrorType.RegistrationNotFound : ErrorType.InvalidDecision,
    );
  };
}
