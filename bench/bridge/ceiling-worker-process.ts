/**
 * The ceiling's worker, in a process of its own like the bridge worker, with the bridge worker's
 * options (`bridgeWorkerTuning`; SDK defaults otherwise). Says `done` once BENCH_CEILING_ACTIVITIES
 * no-op activities have run.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { bridgeWorkerTuning } from '../../workers/bridge-worker.ts';
import { report, requiredEnv, runChild, stopWhenAsked } from '../shared/child-side.ts';
import { createCeilingActivities } from './ceiling-activities.ts';
import type { CeilingDoneMessage, CeilingReadyMessage } from './ceiling-messages.ts';

runChild(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const expected = Number(requiredEnv('BENCH_CEILING_ACTIVITIES'));
  let ran = 0;
  const activities = createCeilingActivities(() => {
    ran += 1;
    if (ran === expected) report<CeilingDoneMessage>({ type: 'done', activities: ran });
  });
  const connection = await NativeConnection.connect({ address: requiredEnv('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: requiredEnv('TEMPORAL_NAMESPACE'),
    taskQueue: requiredEnv('BENCH_CEILING_TASK_QUEUE'),
    workflowBundle: { codePath: requiredEnv('BENCH_CEILING_BUNDLE') },
    activities,
    ...bridgeWorkerTuning,
  });
  const running = worker.run().finally(() => connection.close());
  stopWhenAsked(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  report<CeilingReadyMessage>({ type: 'ready' });
});
