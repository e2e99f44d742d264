/**
 * What every benchmark's settings share: zod helpers, the keys that say where Temporal and
 * PostgreSQL are, CPU profiles of the child processes, and one parse that names each bad key.
 */
import { z } from 'zod';
import { configSchema } from '../../platform/config.ts';

export const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const optionalCount = z.coerce.number().int().positive().optional();
const optionalText = z.string().trim().optional().transform((text) => (text === '' ? undefined : text));

const parsedJson = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return z.NEVER;
  }
});

/** A JSON object of dynamic-config values, e.g. {"system.enableActivityEagerExecution": true}. */
const dynamicConfig = optionalText.pipe(parsedJson.pipe(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional());

export const commonSettingsShape = {
  /** Diagnostics: each child process writes a V8 CPU profile (main thread only) into this folder. */
  BENCH_CPU_PROFILE_DIR: z.string().trim().min(1).optional(),
  /** Address of a running Temporal server; unset starts an in-memory dev server for the run. */
  TEMPORAL_ADDRESS: optionalText,
  /** Without TEMPORAL_ADDRESS: `dev` starts an in-memory dev server, `server` the Temporal server on the PostgreSQL found (databases of its own, dropped at the end). */
  TEMPORAL_MODE: configSchema.shape.TEMPORAL_MODE,
  /** Dynamic config for the Temporal server the run starts (ignored with TEMPORAL_ADDRESS), as JSON. */
  BENCH_TEMPORAL_DYNAMIC_CONFIG: dynamicConfig,
  DATABASE_URL: optionalText,
};

export function parseSettings<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid benchmark settings:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** Node flags for every child process. */
export function childNodeFlags(settings: { BENCH_CPU_PROFILE_DIR?: string | undefined }): string[] {
  return settings.BENCH_CPU_PROFILE_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', settings.BENCH_CPU_PROFILE_DIR];
}
