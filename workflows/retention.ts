import { proxyActivities } from '@temporalio/workflow';
import type { RegistrationActivities } from '../activities/registration/index.ts';
import type { RetentionReport, RetentionRules } from '../domain/retention.ts';

const purge = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/**
 * Deletes what is kept past its period (README, "Personal data"), run by a Temporal Schedule
 * (RETENTION_EVERY). Only counts and registration ids pass through here.
 */
export async function retention(input: { rules: RetentionRules }): Promise<RetentionReport> {
  return purge.purgeExpired(input);
}
