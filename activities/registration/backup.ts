import { Context, log } from '@temporalio/activity';
import type { BackupReport } from '../../domain/backup.ts';
import { makeBackup } from '../../platform/backup/make-backup.ts';
import { pruneBackups } from '../../platform/backup/targets.ts';
import type { RegistrationDependencies } from './dependencies.ts';

/**
 * The backup schedule's one step (README, "Backups and restore"): backup `id` made (nothing made when
 * it is there already: a retried run), then all but the newest `keep` deleted. Counts and sizes only.
 */
export function createBackupActivities(deps: Pick<RegistrationDependencies, 'backup'>) {
  return {
    async backUp(input: { id: string; keep: number }): Promise<BackupReport> {
      if (deps.backup === undefined) throw new Error('This worker was started without backup settings');
      const { sources, target } = deps.backup;
      // Taken here: progress is also reported from the S3 upload's own callbacks.
      const context = Context.current();
      const made = await makeBackup({ ...sources, progress: () => context.heartbeat() }, target, input.id);
      const pruned = await pruneBackups(target, input.keep);
      log.info('Backup', { id: input.id, made: made.made, documents: made.documents, bytes: made.bytes, pruned: pruned.length });
      return { id: input.id, ...made, pruned };
    },
  };
}
