/**
 * `npm test` (after typecheck and lint): one Temporal (the CLI's dev server, or with
 * TEMPORAL_MODE=server the Temporal server on the same PostgreSQL, as `npm run test:production`
 * runs it; TEMPORAL_ADDRESS: a running one), one fresh PostgreSQL database and
 * one workflow bundle for the whole run, shared by every test file through the environment
 * (TEST_TEMPORAL_ADDRESS, TEST_DATABASE_URL, TEST_WORKFLOW_BUNDLE, TEST_SUGGEST_CONTINUE_AS_NEW_AT),
 * and, when a file drives a browser (imports test/support/browser.ts), Debian's Chromium
 * (TEST_CHROMIUM_PATH, or TEST_CHROMIUM_MISSING with the reason); when a file runs Prometheus
 * (imports test/support/prometheus.ts), Debian's prometheus and promtool (TEST_PROMETHEUS_PATH and
 * TEST_PROMTOOL_PATH, or TEST_PROMETHEUS_MISSING with the reason); when a file backs up and
 * restores (imports test/support/backup-tools.ts), pg_dump (TEST_PG_CLIENT_MISSING when there is none
 * as new as the server) and versitygw (TEST_VERSITYGW_PATH, or TEST_VERSITYGW_MISSING); when a file
 * decodes audio (imports test/support/ffmpeg.ts), Debian's ffmpeg (TEST_FFMPEG_PATH, or TEST_FFMPEG_MISSING). Runs node's test runner on
 * test/**\/*.test.ts (or the files given as arguments) and removes what it created.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { findOrStartDatabase } from '../platform/database-server.ts';
import { migrate } from '../platform/migrate.ts';
import { dropDatabase } from '../platform/stores/databases.ts';
import { failureConverterPath } from '../platform/crypto/data-converter.ts';
import { workflowsPath } from '../workers/start-worker.ts';
import { ensureChromium } from './lib/chromium.ts';
import { ensureDockerCompose } from './lib/docker-compose.ts';
import { ensureFfmpeg } from './lib/ffmpeg.ts';
import { ensureHaproxy } from './lib/haproxy.ts';
import type { ProgramLookup } from './lib/executables.ts';
import { ensurePrometheus } from './lib/prometheus.ts';
import { ensurePostgresClient } from './lib/postgresql-client.ts';
import { findOrBuildVersitygw } from './lib/versitygw.ts';
import { serverVersion } from '../platform/stores/backups.ts';
import { ensureTemporal, postgresTarget, temporalModeFrom } from './lib/temporal-target.ts';

const failureSummaryReporter = new URL('./lib/failure-summary-reporter.js', import.meta.url).href;
const log = (line: string) => console.log(`[test] ${line}`);
const cleanups: Array<() => Promise<void>> = [];
const suggestContinueAsNewAt = 400;

async function testFiles(): Promise<string[]> {
  const given = process.argv.slice(2);
  if (given.length > 0) return given;
  const entries = await readdir('test', { recursive: true });
  return entries.filter((entry) => entry.endsWith('.test.ts')).map((entry) => path.join('test', entry)).sort();
}

/** Whether one of the files imports the support module: only then is its program looked for (and perhaps installed). */
async function anyImports(files: string[], supportModule: string): Promise<boolean> {
  const sources = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
  return sources.some((source) => source.includes(`/support/${supportModule}`));
}

/** TEST_CHROMIUM_PATH for the browser tests, or TEST_CHROMIUM_MISSING saying why they skip. */
async function browserEnvironment(files: string[]): Promise<Record<string, string>> {
  if (!(await anyImports(files, 'browser.ts'))) return {};
  const chromium = await ensureChromium(log);
  if (chromium.path === undefined) {
    log(`Chromium unavailable, browser tests skip: ${chromium.reason}`);
    return { TEST_CHROMIUM_MISSING: chromium.reason };
  }
  log(`${chromium.version} at ${chromium.path}`);
  return { TEST_CHROMIUM_PATH: chromium.path };
}

/** TEST_PROMETHEUS_PATH, TEST_PROMTOOL_PATH, TEST_AMTOOL_PATH, TEST_ALERTMANAGER_PATH and TEST_NODE_EXPORTER_PATH for the ops tests, or TEST_PROMETHEUS_MISSING saying why they skip. */
async function prometheusEnvironment(files: string[]): Promise<Record<string, string>> {
  if (!(await anyImports(files, 'prometheus.ts'))) return {};
  const found = await ensurePrometheus(log);
  if (found.prometheus === undefined) {
    log(`Prometheus unavailable, alert tests skip: ${found.reason}`);
    return { TEST_PROMETHEUS_MISSING: found.reason };
  }
  log(`${found.version} at ${found.prometheus} (promtool at ${found.promtool})`);
  return {
    TEST_PROMETHEUS_PATH: found.prometheus, TEST_PROMTOOL_PATH: found.promtool, TEST_AMTOOL_PATH: found.amtool, TEST_ALERTMANAGER_PATH: found.alertmanager,
    TEST_NODE_EXPORTER_PATH: found.nodeExporter,
  };
}

/**
 * For the backup tests (files importing test/support/backup-tools.ts): pg_dump and pg_restore as new
 * as the server (installed when missing, as root), else TEST_PG_CLIENT_MISSING; versitygw for the S3
 * path (built when missing), TEST_VERSITYGW_PATH, else TEST_VERSITYGW_MISSING. Each says why its tests skip.
 */
async function backupEnvironment(files: string[], adminUrl: string): Promise<Record<string, string>> {
  if (!(await anyImports(files, 'backup-tools.ts'))) return {};
  const server = await serverVersion(adminUrl);
  const client = await ensurePostgresClient(server.major, log);
  const versitygw = await findOrBuildVersitygw(log);
  if (client.pgDump === undefined) log(`pg_dump unavailable, backup tests skip: ${client.reason}`);
  else log(`pg_dump ${client.version} at ${client.pgDump} for PostgreSQL ${server.text}`);
  if (versitygw.path === undefined) log(`versitygw unavailable, the S3 backup test skips: ${versitygw.reason}`);
  return {
    ...(client.pgDump === undefined ? { TEST_PG_CLIENT_MISSING: client.reason } : {}),
    ...(versitygw.path === undefined ? { TEST_VERSITYGW_MISSING: versitygw.reason } : { TEST_VERSITYGW_PATH: versitygw.path }),
  };
}

/** For files importing the support module: the Debian program's path in `present`, else why not in `missing`. */
async function debianProgramEnvironment(
  files: string[], supportModule: string, what: string, ensure: (log: (line: string) => void) => Promise<ProgramLookup>, present: string, missing: string,
): Promise<Record<string, string>> {
  if (!(await anyImports(files, supportModule))) return {};
  const found = await ensure(log);
  if (found.path === undefined) {
    log(`${what} unavailable, its tests skip: ${found.reason}`);
    return { [missing]: found.reason };
  }
  log(`${found.version} at ${found.path}`);
  return { [present]: found.path };
}

async function main(): Promise<number> {
  const files = await testFiles();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'leguas-test-'));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));

  const database = await findOrStartDatabase({ configuredUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? 'data', log });
  cleanups.push(() => database.stop());
  const databaseName = `leguas_test_${Date.now()}_${process.pid}`;
  const databaseUrl = database.url(databaseName);
  await migrate(databaseUrl);
  cleanups.push(() => dropDatabase(database.adminUrl, databaseName));
  log(`PostgreSQL database ${databaseName} (${database.origin})`);

  const started = Date.now();
  const temporal = await ensureTemporal({
    ...(process.env.TEMPORAL_ADDRESS ? { address: process.env.TEMPORAL_ADDRESS } : {}),
    ...(temporalModeFrom(process.env) === 'server' ? { server: { postgres: postgresTarget(database.adminUrl) } } : {}),
    namespace: 'default',
    headless: true,
    logFile: path.join(scratch, 'temporal.log'),
    // Low enough for one test's chat to cross it (Temporal's default is 4,096 events), high enough for the rest not to.
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': suggestContinueAsNewAt },
    log,
  });
  if (temporal.started !== undefined) cleanups.push(() => temporal.started!.stop());
  log(`Temporal at ${temporal.address} (${temporal.started?.kind ?? 'TEMPORAL_ADDRESS'}, ${Date.now() - started} ms)`);

  const bundle = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: { info: () => undefined, warn: log, error: log, debug: () => undefined, trace: () => undefined, log: () => undefined } });
  const bundlePath = path.join(scratch, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  const browser = await browserEnvironment(files);
  const prometheus = await prometheusEnvironment(files);
  const backups = await backupEnvironment(files, database.adminUrl);
  const compose = await debianProgramEnvironment(files, 'docker-compose.ts', 'docker-compose', ensureDockerCompose, 'TEST_DOCKER_COMPOSE_PATH', 'TEST_DOCKER_COMPOSE_MISSING');
  const haproxy = await debianProgramEnvironment(files, 'load-balancer.ts', 'HAProxy', ensureHaproxy, 'TEST_HAPROXY_PATH', 'TEST_HAPROXY_MISSING');
  const ffmpeg = await debianProgramEnvironment(files, 'ffmpeg.ts', 'ffmpeg', ensureFfmpeg, 'TEST_FFMPEG_PATH', 'TEST_FFMPEG_MISSING');
  log(`Workflow bundle ready; running ${files.length} test file(s)`);

  // --test-force-exit: a file whose tests have all ended exits, even when a failed test left a system
  // running (its workers retrying a stopped Temporal forever held CI until its 90 minutes ran out).
  // Beside TAP, a list of the failed tests, printed last: a CI excerpt keeps the end of the output.
  const failures = path.join(scratch, 'failed-tests.txt');
  const reporters = ['--test-reporter=tap', '--test-reporter-destination=stdout', `--test-reporter=${failureSummaryReporter}`, `--test-reporter-destination=${failures}`];
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', ...reporters, ...files], {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'test',
      TEST_TEMPORAL_ADDRESS: temporal.address,
      TEST_DATABASE_URL: databaseUrl,
      TEST_WORKFLOW_BUNDLE: bundlePath,
      TEST_SCRATCH_DIR: scratch,
      ...browser,
      ...prometheus,
      ...backups,
      ...compose,
      ...haproxy,
      ...ffmpeg,
      // Unset on a server given by TEMPORAL_ADDRESS: its own threshold is unknown.
      ...(temporal.started === undefined ? {} : { TEST_SUGGEST_CONTINUE_AS_NEW_AT: String(suggestContinueAsNewAt) }),
    },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));
  const failed = await readFile(failures, 'utf8').catch(() => '');
  if (failed !== '') console.log(`\nFailed:\n${failed}`);
  return code;
}

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
}

main()
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await cleanUp();
    process.exit(1);
  });
