/**
 * The benchmark's knobs, parsed once from the environment. Defaults are the scenario
 * (200 registrations, 20 in flight, 2 MB photos, 300 KB PDF); the tuning keys exist to
 * investigate a missed target without editing code.
 */
import { z } from 'zod';
import { commonSettingsShape, count, optionalCount, parseSettings } from '../shared/settings.ts';
import { workerTuningShape } from '../shared/worker-tuning.ts';

const settingsSchema = z.object({
  BENCH_REGISTRATIONS: count(200),
  /** Registrations in flight at once, for the HTTP load and for the sharp ceiling alike. */
  BENCH_CONCURRENCY: count(20),
  BENCH_DISTINCT_PHOTOS: count(6),
  BENCH_DISTINCT_PDFS: count(3),
  BENCH_PHOTO_BYTES: count(2_000_000),
  BENCH_PDF_BYTES: count(300_000),
  /** After the burst, registrations started at this rate whatever the API is doing (open loop)… */
  BENCH_STEADY_PER_SECOND: z.coerce.number().positive().default(1),
  /** …for this long; 0 skips the steady phase. */
  BENCH_STEADY_SECONDS: z.coerce.number().int().min(0).default(300),
  /** How long the 200 registrations may take to reach pending_approval before the run fails. */
  BENCH_TIMEOUT_SECONDS: count(600),
  /** Worker tuning (BENCH_MAX_ACTIVITY_TASKS, BENCH_MAX_WORKFLOW_TASKS, BENCH_MAX_CACHED_WORKFLOWS); unset keeps the project's defaults. */
  ...workerTuningShape,
  /** libuv threads for the worker, API and ceiling processes (sharp runs its work there). */
  BENCH_UV_THREADPOOL_SIZE: optionalCount,
  /** sharp.concurrency() (libvips threads per image) in those processes. */
  BENCH_SHARP_CONCURRENCY: optionalCount,
  /** `off`: sharp.cache(false) in those processes (libvips' operation cache, 50 MB by default). */
  BENCH_SHARP_CACHE: z.enum(['default', 'off']).default('default'),
  /** BENCH_CPU_PROFILE_DIR, TEMPORAL_ADDRESS, DATABASE_URL. */
  ...commonSettingsShape,
});

export type BenchSettings = z.infer<typeof settingsSchema>;

export function loadBenchSettings(env: Record<string, string | undefined>): BenchSettings {
  const settings = parseSettings(settingsSchema, env);
  if (settings.BENCH_DISTINCT_PHOTOS < 2) throw new Error('BENCH_DISTINCT_PHOTOS must be at least 2 (front and back differ)');
  return settings;
}

/** Environment for a child that does image work: the same for the worker, the API and the ceiling. */
export function imageWorkEnv(settings: BenchSettings): Record<string, string> {
  return {
    ...(settings.BENCH_UV_THREADPOOL_SIZE === undefined ? {} : { UV_THREADPOOL_SIZE: String(settings.BENCH_UV_THREADPOOL_SIZE) }),
    ...(settings.BENCH_SHARP_CONCURRENCY === undefined ? {} : { BENCH_SHARP_CONCURRENCY: String(settings.BENCH_SHARP_CONCURRENCY) }),
    BENCH_SHARP_CACHE: settings.BENCH_SHARP_CACHE,
  };
}
