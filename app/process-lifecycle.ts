/** Runs `start`, then stops what it returned on SIGINT/SIGTERM; exits 1 with a clear message if start fails. */
export function runUntilSignalled(name: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  let running: { stop(): Promise<void> } | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await running?.stop().catch((error: unknown) => console.error(`[${name}] while stopping:`, error));
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  start()
    .then((started) => {
      running = started;
    })
    .catch(async (error: unknown) => {
      console.error(`[${name}] failed to start:`, error instanceof Error ? error.message : error);
      await stop(1);
    });
}
