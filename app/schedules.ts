import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { backupScheduleId } from '../domain/backup.ts';
import { retentionScheduleId } from '../domain/self-repair.ts';
import type { Config } from '../platform/config.ts';
import { backup } from '../workflows/backup.ts';
import { retention } from '../workflows/retention.ts';
import { sessionHealthScheduleId } from '../domain/whatsapp-session.ts';
import { whatsappSessionHealth } from '../workflows/whatsapp-session.ts';

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

type SessionHealthSettings = Pick<Config, 'BRIDGE_TASK_QUEUE' | 'WHATSAPP_HEALTH_EVERY'>;

/** The WhatsApp session's health check every WHATSAPP_HEALTH_EVERY on the bridge's task queue; runs never overlap. */
export function ensureSessionHealthSchedule(temporal: Client, config: SessionHealthSettings): Promise<string> {
  const scheduleId = sessionHealthScheduleId(config.BRIDGE_TASK_QUEUE);
  return ensureSchedule(temporal, {
    scheduleId,
    spec: { intervals: [{ every: config.WHATSAPP_HEALTH_EVERY }] },
    action: { type: 'startWorkflow', workflowType: whatsappSessionHealth, workflowId: `${scheduleId}-run`, taskQueue: config.BRIDGE_TASK_QUEUE, args: [] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.WHATSAPP_HEALTH_EVERY },
  });
}

type BackupScheduleSettings = Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'BACKUP_EVERY' | 'BACKUP_KEEP'>;

/** The backup workflow every BACKUP_EVERY (daily: at 00:00 UTC) on the registration task queue; runs never overlap. */
export function ensureBackupSchedule(temporal: Client, config: BackupScheduleSettings): Promise<string> {
  const scheduleId = backupScheduleId(config.TEMPORAL_TASK_QUEUE);
  return ensureSchedule(temporal, {
    scheduleId,
    spec: { intervals: [{ every: config.BACKUP_EVERY }] },
    action: {
      type: 'startWorkflow',
      workflowType: backup,
      workflowId: `${scheduleId}-run`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ keep: config.BACKUP_KEEP }] as Parameters<typeof backup>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.BACKUP_EVERY },
  });
}
