import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { selfRepairScheduleId } from '../domain/self-repair.ts';
import type { Config } from '../platform/config.ts';
import { selfRepair } from '../workflows/self-repair.ts';
import { ensureSchedule } from './schedules.ts';

type Settings = Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'REVIEWER_REMINDER_AFTER' | 'REVIEWER_REMINDER_EVERY' | 'SELF_REPAIR_EVERY' | 'SELF_REPAIR_ORPHAN_AGE'>;

/**
 * The Temporal Schedule that runs the self-repair workflow every SELF_REPAIR_EVERY on the
 * registration task queue (`ensureSchedule`). Runs never overlap.
 */
export async function ensureSelfRepairSchedule(temporal: Client, config: Settings): Promise<string> {
  const scheduleId = selfRepairScheduleId(config.TEMPORAL_TASK_QUEUE);
  const options = {
    scheduleId,
    spec: { intervals: [{ every: config.SELF_REPAIR_EVERY }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: selfRepair,
      workflowId: `${scheduleId}-run`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{
        registrations: {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          reminderAfterMs: config.REVIEWER_REMINDER_AFTER,
          reminderEveryMs: config.REVIEWER_REMINDER_EVERY,
        },
        // One period, at most a minute: the API's own hand-off takes milliseconds.
        stalledAfterMs: Math.min(config.SELF_REPAIR_EVERY, 60_000),
        orphanAgeMs: config.SELF_REPAIR_ORPHAN_AGE,
      }] as Parameters<typeof selfRepair>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.SELF_REPAIR_EVERY },
  } satisfies ScheduleOptions;
  return ensureSchedule(temporal, options);
}
