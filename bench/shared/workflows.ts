/** Ending a run's workflows, so none is left waiting on a server the run did not start. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { forEachConcurrently } from './concurrency.ts';

/**
 * Terminates `workflowIds` and any other workflow still running on `taskQueues`. Already closed
 * or unknown ones are fine.
 */
export async function terminateWorkflows(client: Client, taskQueues: string[], workflowIds: Iterable<string> = []): Promise<void> {
  const ids = new Set(workflowIds);
  for (const taskQueue of taskQueues) {
    for await (const execution of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"` })) {
      ids.add(execution.workflowId);
    }
  }
  const all = [...ids];
  await forEachConcurrently(all.length, 20, async (i) => {
    await client.workflow
      .getHandle(all[i]!)
      .terminate('benchmark finished')
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
  });
}
