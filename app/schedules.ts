import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { retentionScheduleId } from '../domain/self-repair.ts';
import type { Config } from '../platform/config.ts';
import { retention } from '../workflows/retention.ts';

/**
 * A Temporal Schedule created on the worker's start, or brought up to date when it exists (several
 * workers and restarts all converge on the same one).
 */
export async function ensureSchedule(temporal: Client, options: ScheduleOptions): Promise<string> {
  try {
    await temporal.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await temporal.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies ?? previous.policies }));
  }
  return options.scheduleId;
}

type RetentionSettings = Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'RETENTION_EVERY' | 'RETENTION_REJECTED_AFTER' | 'RETENTION_CHAT_MEDIA_AFTER' | 'RETENTION_BOT_RECORDS_AFTER'>;

/** The retention workflow every RETENTION_EVERY on the registration task queue; runs never overlap. */
export function ensureRetentionSchedule(temporal: Client, config: RetentionSettings): Promise<string> {
  const scheduleId = retentionScheduleId(config.TEMPORAL_TASK_QUEUE);
  return ensureSchedule(temporal, {
    scheduleId,
    spec: { intervals: [{ every: config.RETENTION_EVERY }] },
    action: {
      type: 'startWorkflow',
      workflowType: retention,
      workflowId: `${scheduleId}-run`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ rules: { rejectedAfterMs: config.RETENTION_REJECTED_AFTER, chatMediaAfterMs: config.RETENTION_CHAT_MEDIA_AFTER, botRecordsAfterMs: config.RETENTION_BOT_RECORDS_AFTER } }] as Parameters<typeof retention>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.RETENTION_EVERY },
  });
}
