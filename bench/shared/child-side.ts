/**
 * The child's half of the bench protocol: report, then run until the bench says stop, or until
 * the bench goes away (its IPC channel closes), so no child outlives a crashed bench.
 */
const log = (line: string) => console.error(`[bench:${process.pid}] ${line}`);

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required (the bench sets it)`);
  return value;
}

/** Sends the bench one message; name the type (`report<ReadyMessage>(...)`) so the literal is checked. */
export function report<M extends { type: string }>(message: M): void {
  if (process.send === undefined) throw new Error('Run by a bench (bench/*/run.ts), which opens an IPC channel');
  process.send(message);
}

/**
 * Samples process.memoryUsage() every 200 ms and logs the peaks when stopping: tells V8's heap and
 * Buffers (external) apart from native memory (RSS minus those: libvips, allocator, Temporal core).
 */
export function watchMemory(): () => void {
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    for (const key of Object.keys(peak) as Array<keyof typeof peak>) peak[key] = Math.max(peak[key], now[key]);
  }, 200);
  timer.unref();
  return () => {
    clearInterval(timer);
    const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
    log(`peak memory: rss ${mb(peak.rss)}, V8 heap ${mb(peak.heapTotal)} (used ${mb(peak.heapUsed)}), external ${mb(peak.external)}, array buffers ${mb(peak.arrayBuffers)}`);
  };
}

/** Runs `stop` once on the bench's request, on SIGTERM/SIGINT or when the bench disappears, then exits. */
export function stopWhenAsked(stop: () => Promise<void>): void {
  let stopping = false;
  const stopAndExit = (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && 'type' in message && message.type === 'stop') stopAndExit('asked');
  });
  process.once('disconnect', () => stopAndExit('bench gone'));
  process.once('SIGTERM', () => stopAndExit('SIGTERM'));
  process.once('SIGINT', () => stopAndExit('SIGINT'));
}

/** Entry-point wrapper: a child that fails to start says why and exits non-zero. */
export function runChild(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
