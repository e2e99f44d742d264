import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RegistrationActivities } from '../activities/registration/index.ts';
import { backupIdOf, type BackupReport } from '../domain/backup.ts';

/** Set by Temporal on every run a Schedule starts: the time it was scheduled for. */
const scheduledFor = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const backups = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '6 hours',
  // The backup heartbeats as it copies and dumps; a worker that died is noticed within this.
  heartbeatTimeout: '10 minutes',
  retry: { initialInterval: '1 minute', maximumInterval: '15 minutes', maximumAttempts: 4 },
});

/**
 * A backup made and the oldest ones past BACKUP_KEEP deleted (README, "Backups and restore"), run by a
 * Temporal Schedule (BACKUP_EVERY). The backup is named by the time its run was scheduled for, so a
 * retried activity makes it once. Only its id, counts and sizes pass through here.
 */
export async function backup(input: { keep: number }): Promise<BackupReport> {
  const info = workflowInfo();
  return backups.backUp({ id: backupIdOf(info.typedSearchAttributes.get(scheduledFor) ?? info.startTime), keep: input.keep });
}
