/**
 * `npm run bench:registration`: 200 driver registrations (two ~2 MB photos and a ~300 KB PDF each),
 * 20 at a time, over real HTTP to the API, processed by the worker in its own process, compared
 * with what sharp alone does with the same documents on this machine; then one a second for five
 * minutes (open loop), as a recruiting campaign's peak. Prints one JSON object on
 * stdout (logs go to stderr) and stops everything it started, also when it fails.
 * Knobs: bench/registration/bench-settings.ts; see bench/README.md.
 */
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { workflowIdOf } from '../../domain/registration.ts';
import { atLeast, atMost, summary, type Target } from '../shared/bench-report.ts';
import type { ReadyMessage } from '../shared/child-messages.ts';
import { benchScript, startChild, startSystemChild } from '../shared/child-process.ts';
import type { Cleanups } from '../shared/cleanups.ts';
import { cpuBetween, cpuSnapshot, machineInfo, peakRssMb, round, rssMb } from '../shared/process-stats.ts';
import { runBench } from '../shared/run-bench.ts';
import { childNodeFlags } from '../shared/settings.ts';
import { terminateWorkflows } from '../shared/workflows.ts';
import { documentsOf, writeBenchDocuments } from './bench-documents.ts';
import { startBenchEnvironment } from './bench-environment.ts';
import { imageWorkEnv, loadBenchSettings } from './bench-settings.ts';
import type { CeilingMessage } from './ceiling-message.ts';
import { measureHealthDuringCraftedPdfs } from './crafted-pdfs.ts';
import { measureHistories } from './histories.ts';
import { runSettledLoad, runSteadyLoad } from './load.ts';

const log = (line: string) => console.error(`[bench] ${line}`);

async function main(cleanups: Cleanups): Promise<Record<string, unknown>> {
  const settings = loadBenchSettings(process.env);
  const loadAverageAtStart = os.loadavg()[0] ?? 0;
  const env = await startBenchEnvironment(settings, cleanups, log);
  const taskQueue = env.systemEnv.TEMPORAL_TASK_QUEUE!;
  log(`Making ${settings.BENCH_DISTINCT_PHOTOS} photos and ${settings.BENCH_DISTINCT_PDFS} PDFs`);
  const documents = await writeBenchDocuments(env.documentsDir, settings);

  const connection = await Connection.connect({ address: env.temporalAddress });
  cleanups.add('Temporal client', () => connection.close());
  const temporal = new Client({ connection, namespace: env.systemEnv.TEMPORAL_NAMESPACE! });
  const registered = new Set<string>();
  const endRegistrations = () => terminateWorkflows(temporal, [taskQueue], [...registered].map(workflowIdOf));
  cleanups.add('registration workflows', endRegistrations);

  const childEnv = { ...env.systemEnv, ...imageWorkEnv(settings) };
  const nodeFlags = childNodeFlags(settings);
  const worker = startSystemChild<ReadyMessage>('worker', childEnv, nodeFlags);
  cleanups.add('worker process', () => worker.stop());
  const api = startSystemChild<ReadyMessage>('api', childEnv, nodeFlags);
  cleanups.add('API process', () => api.stop());
  const [workerReady, apiReady] = await Promise.all([worker.first, api.first]);
  if (apiReady.apiUrl === undefined) throw new Error('The API process reported no URL');
  log(`API (pid ${api.pid}) at ${apiReady.apiUrl}; worker pid ${worker.pid}; task queue ${taskQueue}`);

  const pids = { bench: process.pid, api: api.pid, worker: worker.pid, ...(env.temporalPid === undefined ? {} : { temporal_server: env.temporalPid }) };
  const workerIdleRss = await rssMb(worker.pid);
  const cpuBefore = await cpuSnapshot(pids);
  log(`Submitting ${settings.BENCH_REGISTRATIONS} registrations, ${settings.BENCH_CONCURRENCY} at a time`);
  const load = await runSettledLoad({
    apiUrl: apiReady.apiUrl, intakeSecret: env.systemEnv.INTAKE_SHARED_SECRET!, databaseUrl: env.databaseUrl, documents, onRegistered: (id) => registered.add(id),
  }, settings, [worker, api]);
  const cpu = cpuBetween(cpuBefore, await cpuSnapshot(pids));
  log(`All ${settings.BENCH_REGISTRATIONS} pending approval after ${(load.endToEndMs / 1000).toFixed(1)} s`);

  let steady: { intakeMs: number[]; registrationIds: string[] } | undefined;
  if (settings.BENCH_STEADY_SECONDS > 0) {
    log(`Steady: ${settings.BENCH_STEADY_PER_SECOND} registration(s) a second for ${settings.BENCH_STEADY_SECONDS} s, whatever the API is doing`);
    steady = await runSteadyLoad(
      { apiUrl: apiReady.apiUrl, intakeSecret: env.systemEnv.INTAKE_SHARED_SECRET!, documents, onRegistered: (id) => registered.add(id) },
      { first: settings.BENCH_REGISTRATIONS, perSecond: settings.BENCH_STEADY_PER_SECOND, seconds: settings.BENCH_STEADY_SECONDS },
    );
  }

  log('Posting four crafted 8 MB PDFs at once while asking /health');
  const crafted = await measureHealthDuringCraftedPdfs(apiReady.apiUrl, env.systemEnv.INTAKE_SHARED_SECRET!, documents);
  const histories = await measureHistories(temporal, load.registrationIds);
  const workerPeak = await peakRssMb(worker.pid);
  const apiPeak = await peakRssMb(api.pid);
  await endRegistrations();
  registered.clear();
  await api.stop();
  await worker.stop();

  log('Measuring the sharp ceiling on the same documents');
  const ceilingChild = startChild<CeilingMessage>('ceiling', benchScript('./ceiling-process.ts', import.meta.url), childEnv, nodeFlags);
  cleanups.add('ceiling process', () => ceilingChild.stop());
  const ceiling = await ceilingChild.first;
  const ceilingPeak = await peakRssMb(ceilingChild.pid);
  await ceilingChild.stop();

  const rate = settings.BENCH_REGISTRATIONS / (load.endToEndMs / 1000);
  const ceilingRate = ceiling.registrations / (ceiling.elapsedMs / 1000);
  const ratio = rate / ceilingRate;
  const intake = summary(load.intakeMs);
  const steadyIntake = steady === undefined ? undefined : summary(steady.intakeMs);
  const healthDuringCrafted = summary(crafted.healthMs);
  // The targets (README, "Performance targets"); every answer was a 201, or the run failed.
  const targets: Record<string, Target> = {
    burst_intake_p99_ms: atMost(intake.p99, 5000),
    ...(steadyIntake === undefined ? {} : { steady_intake_p99_ms: atMost(steadyIntake.p99, 300) }),
    ratio_to_ceiling: atLeast(round(ratio, 3), 0.8),
    worker_peak_rss_mb: atMost(workerPeak, 400),
    api_peak_rss_mb: atMost(apiPeak, 256),
    largest_history_bytes: atMost(histories.largestBytes, 32 * 1024),
    health_during_crafted_pdfs_max_ms: atMost(healthDuringCrafted.max, 100),
  };
  const sample = documentsOf(documents, 0);
  return {
    benchmark: 'registration',
    registrations: settings.BENCH_REGISTRATIONS,
    concurrency: settings.BENCH_CONCURRENCY,
    documents: {
      photo_bytes: documents.photos.map((photo) => photo.length),
      pdf_bytes: documents.pdfs.map((pdf) => pdf.length),
      bytes_per_registration: sample.licenceFront.length + sample.licenceBack.length + sample.proofOfAddress.length,
    },
    intake_ms: intake,
    steady: steadyIntake === undefined ? null : { per_second: settings.BENCH_STEADY_PER_SECOND, seconds: settings.BENCH_STEADY_SECONDS, intake_ms: steadyIntake },
    submit_seconds: round(load.submitMs / 1000, 2),
    end_to_end_seconds: round(load.endToEndMs / 1000, 2),
    registrations_per_second: round(rate, 2),
    sharp_ceiling_seconds: round(ceiling.elapsedMs / 1000, 2),
    one_photo_alone_ms: summary(ceiling.photoMs),
    decompression_bomb_refused_ms: summary(ceiling.bombMs),
    health_during_crafted_pdfs_ms: { ...healthDuringCrafted, asked: crafted.healthMs.length, intake_statuses: crafted.statuses },
    sharp_ceiling_registrations_per_second: round(ceilingRate, 2),
    ratio_to_ceiling: round(ratio, 3),
    worker_peak_rss_mb: workerPeak ?? null,
    worker_rss_mb_before_load: workerIdleRss ?? null,
    api_peak_rss_mb: apiPeak ?? null,
    ceiling_peak_rss_mb: ceilingPeak ?? null,
    largest_history_bytes: histories.largestBytes,
    mean_history_bytes: histories.meanBytes,
    largest_history_events: histories.largestEvents,
    cpu_seconds_during_load: cpu,
    ceiling_cpu_seconds: round(ceiling.cpuSeconds),
    tuning: {
      max_concurrent_activity_task_executions: settings.BENCH_MAX_ACTIVITY_TASKS ?? 'worker default (4)',
      max_concurrent_workflow_task_executions: settings.BENCH_MAX_WORKFLOW_TASKS ?? 'SDK default',
      max_cached_workflows: settings.BENCH_MAX_CACHED_WORKFLOWS ?? 'SDK default',
      worker: workerReady.imageWork,
      api: apiReady.imageWork,
      ceiling: ceiling.imageWork,
    },
    targets,
    all_targets_met: Object.values(targets).every((target) => target.met),
    machine: { ...machineInfo(loadAverageAtStart), temporal: env.temporalOrigin, postgres: env.databaseOrigin },
  };
}

runBench(log, main);
