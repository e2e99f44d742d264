/**
 * Each registration workflow's event history, fetched from Temporal once the workflow waits for
 * a reviewer, measured as the protobuf bytes the server stores and sends on replay.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { workflowIdOf } from '../../domain/registration.ts';
import { forEachConcurrently } from '../shared/concurrency.ts';

const { History } = proto.temporal.api.history.v1;
const { EventType } = proto.temporal.api.enums.v1;

export interface HistorySizes {
  largestBytes: number;
  meanBytes: number;
  largestEvents: number;
}

/** The history once the reminder timer is started, i.e. the workflow has settled in pending_approval. */
async function settledHistory(client: Client, workflowId: string) {
  for (let attempt = 1; ; attempt++) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const waiting = history.events?.some((event) => event.eventType === EventType.EVENT_TYPE_TIMER_STARTED) ?? false;
    if (waiting || attempt >= 100) return history;
    await sleep(100);
  }
}

export async function measureHistories(client: Client, registrationIds: string[]): Promise<HistorySizes> {
  const sizes: number[] = [];
  let largestEvents = 0;
  await forEachConcurrently(registrationIds.length, 10, async (i) => {
    const history = await settledHistory(client, workflowIdOf(registrationIds[i]!));
    sizes.push(History.encode(history).finish().length);
    largestEvents = Math.max(largestEvents, history.events?.length ?? 0);
  });
  return {
    largestBytes: Math.max(...sizes),
    meanBytes: Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length),
    largestEvents,
  };
}
