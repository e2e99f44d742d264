/** What the self-repair schedule fixes; the metric's `kind` label takes only these values. */
export const repairKinds = ['workflow_started', 'correction_signalled', 'orphan_file_deleted'] as const;
export type RepairKind = (typeof repairKinds)[number];

/** A registration stuck in `received`, as the self-repair finds it with its workflow. */
export interface StalledRegistrationView {
  registrationId: string;
  linkedToChat: boolean;
  /** Stuck after a corrected submission (rather than a first one). */
  corrected: boolean;
  /** Its workflow: none at all, or its execution status and its `RegistrationStatus` search attribute. */
  workflow: null | { running: boolean; registrationStatus: string | null };
}

/** The one Temporal Schedule per registration task queue that runs the self-repair workflow. */
export const selfRepairScheduleId = (taskQueue: string) => `registration-self-repair-${taskQueue}`;

/** The one Temporal Schedule per registration task queue that runs the retention workflow. */
export const retentionScheduleId = (taskQueue: string) => `registration-retention-${taskQueue}`;
