import { purgeExpired, type RetentionReport, type RetentionRules } from '../../platform/retention.ts';
import type { RegistrationDependencies } from './dependencies.ts';

/** The retention schedule's one step: what is past its period deleted (platform/retention.ts), counted by kind. */
export function createRetentionActivities(deps: Pick<RegistrationDependencies, 'db' | 'personal' | 'storage' | 'metrics'>) {
  return {
    async purgeExpired(input: { rules: RetentionRules }): Promise<RetentionReport> {
      const report = await purgeExpired(deps, input.rules, false);
      const { metrics } = deps;
      metrics.retentionPurged.inc({ kind: 'rejected_registration' }, report.rejectedRegistrations.length);
      metrics.retentionPurged.inc({ kind: 'chat_media' }, report.chatMedia);
      metrics.retentionPurged.inc({ kind: 'bot_turn' }, report.botTurns);
      metrics.retentionPurged.inc({ kind: 'bot_session' }, report.botSessions);
      return report;
    },
  };
}
