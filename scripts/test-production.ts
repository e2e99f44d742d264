/**
 * `npm run test:production`: the system on Temporal as production runs it, the Temporal server on
 * PostgreSQL (TEMPORAL_MODE=server: built once, its databases set up with its own SQL tool, see
 * scripts/lib/temporal-server.ts). The end-to-end, replay and scale-out tests on one such server (the
 * scale-out test with a longer burst than in npm test), then each benchmark on a server of its own. What they print goes to stderr; stdout gets one JSON object: the
 * tests' exit code and each bench's targets. Exit code 1 when a test or a bench failed, or the
 * bridge lost, doubled or reordered a message.
 *
 * Arguments: test files to run instead of test/e2e, test/replay and test/scale; `--no-bench` skips the benchmarks.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const log = (line: string) => console.error(`[test:production] ${line}`);
// The scale-out test's longer burst, unless sized by hand.
const production: NodeJS.ProcessEnv = { SCALE_CHATS: '20', SCALE_MESSAGES: '16', SCALE_REGISTRATIONS: '12', ...process.env, TEMPORAL_MODE: 'server' };
delete production.TEMPORAL_ADDRESS;

/** Runs a child with the project's tsx; its stdout is returned (and echoed to stderr when `echo`). */
function run(script: string, args: string[], echo: boolean): Promise<{ code: number; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: production, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (echo) process.stderr.write(chunk);
    else stdout += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), stdout })));
}

async function defaultTestFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const folder of ['test/e2e', 'test/replay', 'test/scale']) {
    for (const entry of await readdir(folder)) if (entry.endsWith('.test.ts')) files.push(path.join(folder, entry));
  }
  return files.sort();
}

interface BenchOutcome {
  exit_code: number;
  all_targets_met?: boolean;
  targets?: Record<string, { target: string; value: number | null; met: boolean }>;
}

async function bench(name: 'registration' | 'bridge'): Promise<BenchOutcome> {
  log(`bench:${name} on the Temporal server on PostgreSQL`);
  const { code, stdout } = await run(`bench/${name}/run.ts`, [], false);
  if (code !== 0) return { exit_code: code };
  const result = JSON.parse(stdout) as Omit<BenchOutcome, 'exit_code'>;
  process.stderr.write(`${stdout}\n`);
  return { exit_code: code, ...(result.all_targets_met === undefined ? {} : { all_targets_met: result.all_targets_met }), ...(result.targets === undefined ? {} : { targets: result.targets }) };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const withBenches = !args.includes('--no-bench');
  const given = args.filter((arg) => arg !== '--no-bench');
  const files = given.length > 0 ? given : await defaultTestFiles();
  log(`${files.length} test file(s) on the Temporal server on PostgreSQL`);
  const started = Date.now();
  const tests = await run('scripts/test.ts', files, true);
  const testSeconds = Math.round((Date.now() - started) / 1000);

  const benches: Record<string, BenchOutcome> = {};
  if (withBenches) for (const name of ['registration', 'bridge'] as const) benches[name] = await bench(name);
  // Delivery is correctness, not performance: a message lost, doubled or reordered fails the run.
  const deliveryTargets = ['lost', 'duplicated', 'out_of_order', 'misrouted'];
  const bridgeDelivered = benches.bridge === undefined
    || deliveryTargets.every((target) => benches.bridge!.targets?.[target]?.met === true);
  const failed = tests.code !== 0 || Object.values(benches).some((outcome) => outcome.exit_code !== 0) || !bridgeDelivered;
  process.stdout.write(`${JSON.stringify({ temporal: 'server on PostgreSQL', tests: { files: files.length, exit_code: tests.code, seconds: testSeconds }, benches, passed: !failed }, null, 2)}\n`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
