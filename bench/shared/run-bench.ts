/**
 * A bench's entry point: runs `main`, stops everything it registered (also on failure and on
 * SIGINT/SIGTERM), then prints the result as one JSON object on stdout. Exit code 0 when the run
 * completed, whether or not its targets were met; 1 when it failed; 130 when interrupted.
 */
import { Cleanups } from './cleanups.ts';

export function runBench(log: (line: string) => void, main: (cleanups: Cleanups) => Promise<Record<string, unknown>>): void {
  const cleanups = new Cleanups();
  let finishing: Promise<never> | undefined;
  const finish = (code: number, result?: Record<string, unknown>) => (finishing ??= (async (): Promise<never> => {
    await cleanups.runAll(log);
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exit(code);
  })());

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything started`);
      void finish(130);
    });
  }
  main(cleanups).then(
    (result) => finish(0, result),
    (error: unknown) => {
      console.error(error);
      return finish(1);
    },
  );
}
