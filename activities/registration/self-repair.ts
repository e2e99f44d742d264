import { log } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import { workflowIdOf } from '../../domain/registration.ts';
import type { RepairKind, StalledRegistrationView } from '../../domain/self-repair.ts';
import { referencedDocumentKeys, stalledRegistrations } from '../../platform/stores/registrations.ts';
import type { RegistrationDependencies } from './dependencies.ts';

/** Every document file lives under this folder (`registrations/<id>/...`). */
const documentsFolder = 'registrations';
const batch = 200;

/**
 * The self-repair workflow's eyes and hands outside Temporal's own commands: registrations stuck in
 * `received` with what their workflow is doing, orphan document files, and the log line and metric
 * of each repair (ids only, never personal data).
 */
export function createSelfRepairActivities(deps: Pick<RegistrationDependencies, 'db' | 'storage' | 'metrics' | 'temporal'>) {
  return {
    /** Registrations `received` for longer than `stalledAfterMs`, each with its workflow's state (`statusAttribute`: the search attribute's name). */
    async findStalledRegistrations(input: { stalledAfterMs: number; statusAttribute: string }): Promise<StalledRegistrationView[]> {
      const { temporal } = deps;
      if (temporal === undefined) throw new Error('The self-repair activities need a Temporal client');
      const stalled = await stalledRegistrations(deps.db, input.stalledAfterMs);
      return Promise.all(stalled.map(async (row): Promise<StalledRegistrationView> => {
        const view = { registrationId: row.id, linkedToChat: row.linkedToChat, corrected: row.corrected };
        try {
          const description = await temporal.workflow.getHandle(workflowIdOf(row.id)).describe();
          const attribute = description.typedSearchAttributes.getAll().find((pair) => pair.key.name === input.statusAttribute);
          return { ...view, workflow: { running: description.status.name === 'RUNNING', registrationStatus: attribute === undefined ? null : String(attribute.value) } };
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return { ...view, workflow: null };
          throw error;
        }
      }));
    },

    /** Deletes document files no registration refers to, last written more than `olderThanMs` ago; returns how many. */
    async sweepOrphanDocuments(input: { olderThanMs: number }): Promise<{ deleted: number }> {
      const cutoff = Date.now() - input.olderThanMs;
      const old = (await deps.storage.list(documentsFolder)).filter((file) => file.modifiedAt.getTime() < cutoff).map((file) => file.key);
      let deleted = 0;
      for (let start = 0; start < old.length; start += batch) {
        const keys = old.slice(start, start + batch);
        const referenced = await referencedDocumentKeys(deps.db, keys);
        for (const key of keys.filter((candidate) => !referenced.has(candidate))) {
          await deps.storage.delete(key);
          // The key holds the registration id and document kind only.
          recordRepair(deps, 'orphan_file_deleted', { key });
          deleted += 1;
        }
      }
      return { deleted };
    },

    /** A repair the workflow made itself (a start, a signal): logged and counted here, where the metrics are. */
    async recordRepair(input: { kind: RepairKind; registrationId: string }): Promise<void> {
      recordRepair(deps, input.kind, { registrationId: input.registrationId });
    },
  };
}

function recordRepair(deps: Pick<RegistrationDependencies, 'metrics'>, kind: RepairKind, ids: Record<string, string>): void {
  log.warn('Self-repair', { kind, ...ids });
  deps.metrics.selfRepairs.inc({ kind });
}

export type SelfRepairActivities = ReturnType<typeof createSelfRepairActivities>;
