import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { chatWorkflowType } from '../../workflows/chat.ts';
import type { Db } from '../../platform/db.ts';
import { forgetAgentDeliveries } from '../../platform/stores/deliveries.ts';
import { forgetInboundRelays } from '../../platform/stores/relays.ts';

/**
 * The sandbox's Chatwoot simulator starts empty on every `npm start`, while PostgreSQL and Temporal
 * keep what the bridge knew of the previous run's simulator: chats linked to its conversation ids,
 * relays keyed by its message ids. The new simulator hands out the same ids again, so that memory
 * would send a driver's message into another driver's conversation, or skip an agent's reply as
 * already sent. Only for a simulated Chatwoot: a real one never reuses an id.
 */
export async function forgetSimulatedChatwoot(db: Db, temporal: Client, bridgeTaskQueue: string): Promise<{ chats: number; relays: number }> {
  let chats = 0;
  const running = temporal.workflow.list({ query: `WorkflowType = '${chatWorkflowType}' AND ExecutionStatus = 'Running' AND TaskQueue = '${bridgeTaskQueue}'` });
  for await (const chat of running) {
    const handle = temporal.workflow.getHandle(chat.workflowId, chat.runId);
    // It may have ended since it was listed.
    const ended = await handle.terminate('npm start: the sandbox Chatwoot simulator started empty').then(
      () => false,
      (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return true;
        throw error;
      },
    );
    if (!ended) chats += 1;
  }
  const relays = (await forgetInboundRelays(db)) + (await forgetAgentDeliveries(db));
  return { chats, relays };
}
