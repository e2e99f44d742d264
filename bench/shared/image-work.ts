/** sharp's settings in a child process, from the environment the bench gives it. */
import sharp from 'sharp';
import type { ImageWorkSettings } from './child-messages.ts';

/**
 * Applies BENCH_SHARP_CONCURRENCY and BENCH_SHARP_CACHE (UV_THREADPOOL_SIZE and allocator variables
 * act through the environment the bench gives the process) and says what is in force.
 */
export function applyImageWorkSettings(): ImageWorkSettings {
  const wanted = Number(process.env.BENCH_SHARP_CONCURRENCY ?? '');
  if (Number.isInteger(wanted) && wanted > 0) sharp.concurrency(wanted);
  if (process.env.BENCH_SHARP_CACHE === 'off') sharp.cache(false);
  const { LD_PRELOAD, MALLOC_ARENA_MAX } = process.env;
  return {
    uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? '4'),
    sharpConcurrency: sharp.concurrency(),
    sharpCacheMb: sharp.cache().memory.max,
    ...(LD_PRELOAD === undefined ? {} : { ldPreload: LD_PRELOAD }),
    ...(MALLOC_ARENA_MAX === undefined ? {} : { mallocArenaMax: MALLOC_ARENA_MAX }),
  };
}
