/** Backups (README, "Backups and restore"): what the daily schedule's workflow and its activity share. */

/** A backup's id: its time in UTC to the second, `20261125T020000Z`, so ids sort as the backups were made. */
export const backupIdOf = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

export const backupIdPattern = /^\d{8}T\d{6}Z$/;

/** When backup `id` was made (its id read back); null for a name that is no backup id. */
export function backupTimeOf(id: string): Date | null {
  const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(id);
  return parts === null ? null : new Date(`${parts[1]}-${parts[2]}-${parts[3]}T${parts[4]}:${parts[5]}:${parts[6]}Z`);
}

/** What a scheduled backup did: counts and sizes only. */
export interface BackupReport {
  id: string;
  /** False when a complete backup with this id was there already (a retried run after it was made). */
  made: boolean;
  documents: number;
  /** Bytes written, all parts together. */
  bytes: number;
  /** Older backups deleted to keep the newest `keep`. */
  pruned: string[];
}

/** The one Temporal Schedule per registration task queue that runs the backup workflow. */
export const backupScheduleId = (taskQueue: string) => `system-backup-${taskQueue}`;
