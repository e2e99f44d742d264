/**
 * What the chats' workflows cost Temporal, read from their histories after a phase: signals,
 * workflow tasks, relays run as local activities (a marker in history; the normal case) and as
 * regular activities (after a local one failed), and the mean batch. Fewer round trips per message
 * is the main lever on the bridge's throughput.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { chatWorkflowId, type BlindIndex } from '../../domain/chat.ts';
import { round } from '../shared/process-stats.ts';
import { forEachConcurrently } from '../shared/concurrency.ts';

const { EventType } = proto.temporal.api.enums.v1;

export interface RoundTrips {
  workflows: number;
  signals: number;
  workflow_tasks: number;
  local_activity_calls: number;
  activity_calls: number;
  workflow_tasks_per_message: number;
  relays_per_message: number;
  /** Messages per relay call; a batch sent again as a regular activity after its local attempt failed counts twice. */
  mean_batch: number;
  /** Of regular activities only: a local activity's input is not in history. */
  largest_regular_batch: number;
}

const localActivityMarker = 'core_local_activity';

export async function measureRoundTrips(client: Client, keys: BlindIndex, chatIds: string[], messages: number): Promise<RoundTrips> {
  let signals = 0;
  let workflowTasks = 0;
  let localRelays = 0;
  const batches: number[] = [];
  await forEachConcurrently(chatIds.length, 10, async (i) => {
    const history = await client.workflow.getHandle(chatWorkflowId(keys, chatIds[i]!)).fetchHistory();
    for (const event of history.events ?? []) {
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) signals += 1;
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) workflowTasks += 1;
      if (event.markerRecordedEventAttributes?.markerName === localActivityMarker) localRelays += 1;
      const input = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
      if (input !== undefined) batches.push(defaultPayloadConverter.fromPayload<{ events: unknown[] }>(input).events.length);
    }
  });
  return {
    workflows: chatIds.length,
    signals,
    workflow_tasks: workflowTasks,
    local_activity_calls: localRelays,
    activity_calls: batches.length,
    workflow_tasks_per_message: round(workflowTasks / messages, 2),
    relays_per_message: round((localRelays + batches.length) / messages, 2),
    mean_batch: round(messages / Math.max(1, localRelays + batches.length), 2),
    largest_regular_batch: Math.max(0, ...batches),
  };
}
