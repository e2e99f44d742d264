/**
 * Runs `work(0..count-1)` with at most `limit` in flight: each lane takes the next index when it is
 * free. Once `signal` aborts, no lane starts another item.
 */
export async function forEachConcurrently(count: number, limit: number, work: (index: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count && signal?.aborted !== true) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}
