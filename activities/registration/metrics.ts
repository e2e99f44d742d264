import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Decision } from '../../domain/registration.ts';

export interface RegistrationMetrics {
  reviewerReminders: Counter;
  decisions: Counter<'decision'>;
  /** From the registration's submission to each decision (a correction's round counts from the first submission). */
  timeToDecisionSeconds: Histogram<'decision'>;
  documentProcessingSeconds: Histogram;
  driverMessages: Counter<'outcome'>;
  selfRepairs: Counter<'kind'>;
  retentionPurged: Counter<'kind'>;
}

const decisionKinds: ReadonlyArray<Decision['kind']> = ['approved', 'rejected', 'correction_requested'];

/**
 * The registrations' metrics in `registry`, every known label's series at 0 from the start: a
 * series that appears with its first event already counted hides that event from increase() and
 * rate(), so the first decision after a start would be missing from the dashboards.
 */
export function createRegistrationMetrics(registry: Registry): RegistrationMetrics {
  const metrics = createMetrics(registry);
  for (const decision of decisionKinds) {
    metrics.decisions.inc({ decision }, 0);
    metrics.timeToDecisionSeconds.zero({ decision });
  }
  for (const outcome of ['sent', 'already_sent']) metrics.driverMessages.inc({ outcome }, 0);
  return metrics;
}

function createMetrics(registry: Registry): RegistrationMetrics {
  return {
    reviewerReminders: new Counter({
      name: 'registration_reviewer_reminders_total',
      help: 'Reminders sent because a registration waited too long for a reviewer',
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'registration_decisions_total',
      help: 'Reviewer decisions recorded, by decision',
      labelNames: ['decision'],
      registers: [registry],
    }),
    timeToDecisionSeconds: new Histogram({
      name: 'registration_time_to_decision_seconds',
      help: 'From a registration\'s submission to each reviewer decision, by decision (the review target is 48 h)',
      labelNames: ['decision'],
      buckets: [60, 600, 3_600, 4 * 3_600, 12 * 3_600, 24 * 3_600, 48 * 3_600, 96 * 3_600, 7 * 24 * 3_600],
      registers: [registry],
    }),
    documentProcessingSeconds: new Histogram({
      name: 'registration_document_processing_seconds',
      help: 'Time to orient, strip, re-encode and thumbnail one document',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    driverMessages: new Counter({
      name: 'registration_driver_messages_total',
      help: 'WhatsApp messages to drivers about their registration, by outcome (sent, already_sent)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    selfRepairs: new Counter({
      name: 'registration_self_repairs_total',
      help: 'Half-finished registrations the self-repair schedule fixed, by kind (workflow_started, correction_signalled, orphan_file_deleted)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    retentionPurged: new Counter({
      name: 'registration_retention_purged_total',
      help: 'Records the retention schedule deleted past their period, by kind (rejected_registration, chat_media, bot_turn, bot_session)',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
}

/**
 * `backup_last_success_timestamp_seconds`: when the newest complete backup in the target was made,
 * read from the target at most once a minute (a scrape every 15 s would list S3 each time). While
 * the target does not answer, the last value read stays (so BackupMissing still fires as it ages);
 * no series before a first backup was seen.
 */
export function watchLatestBackup(registry: Registry, latest: () => Promise<Date | null>): void {
  let cached: { at: number; value: Date | null } | undefined;
  new Gauge({
    name: 'backup_last_success_timestamp_seconds',
    help: 'When the newest complete backup was made (seconds since the epoch); the schedule makes one every BACKUP_EVERY (daily)',
    registers: [registry],
    async collect() {
      if (cached === undefined || Date.now() - cached.at > 60_000) cached = { at: Date.now(), value: await latest().catch(() => cached?.value ?? null) };
      this.reset();
      if (cached.value !== null) this.set(cached.value.getTime() / 1000);
    },
  });
}
