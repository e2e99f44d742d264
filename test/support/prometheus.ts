/**
 * A real Prometheus (and promtool) for the alert tests: Debian's, found or installed by
 * scripts/test.ts and handed over as TEST_PROMETHEUS_PATH and TEST_PROMTOOL_PATH; without them the
 * test skips, saying why (TEST_PROMETHEUS_MISSING). `startPrometheus` runs one on a free port of
 * 127.0.0.1 with a config and rules in a temporary folder, and `stop()` ends it and removes the folder.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { eventually } from './eventually.ts';
import { freePort } from './free-port.ts';

/** ops/prometheus: the project's config, rules and rule tests. */
export const opsPrometheusDir = fileURLToPath(new URL('../../ops/prometheus/', import.meta.url));

export interface PrometheusTools {
  prometheus: string;
  promtool: string;
  /** Alertmanager's amtool (TEST_AMTOOL_PATH). */
  amtool: string;
  /** Debian's prometheus-alertmanager (TEST_ALERTMANAGER_PATH). */
  alertmanager: string;
  /** Debian's prometheus-node-exporter (TEST_NODE_EXPORTER_PATH). */
  nodeExporter: string;
}

/** The binaries scripts/test.ts found, or undefined when there are none. */
export function foundPrometheusTools(): PrometheusTools | undefined {
  const prometheus = process.env.TEST_PROMETHEUS_PATH;
  const promtool = process.env.TEST_PROMTOOL_PATH;
  const amtool = process.env.TEST_AMTOOL_PATH;
  const alertmanager = process.env.TEST_ALERTMANAGER_PATH;
  const nodeExporter = process.env.TEST_NODE_EXPORTER_PATH;
  if ([prometheus, promtool, amtool, alertmanager, nodeExporter].some((tool) => tool === undefined || tool === '')) return undefined;
  return { prometheus: prometheus!, promtool: promtool!, amtool: amtool!, alertmanager: alertmanager!, nodeExporter: nodeExporter! };
}

/** The binaries scripts/test.ts found; skips the test (and returns undefined) when there are none, saying why. */
export function prometheusTools(t: TestContext): PrometheusTools | undefined {
  const tools = foundPrometheusTools();
  if (tools === undefined) t.skip(`no Prometheus for the ops tests: ${process.env.TEST_PROMETHEUS_MISSING ?? 'TEST_PROMETHEUS_PATH is not set (run through scripts/test.ts)'}`);
  return tools;
}

/** Runs promtool; its exit code and output (stdout and stderr together), never a rejection for a failing check. */
export const promtool = (tools: PrometheusTools, args: string[], cwd = opsPrometheusDir) => runTool(tools.promtool, args, cwd);

/** Runs amtool (Alertmanager's), as promtool. */
export const amtool = (tools: PrometheusTools, args: string[], cwd = opsPrometheusDir) => runTool(tools.amtool, args, cwd);

function runTool(executable: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(executable, args, { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error === null) return resolve({ code: 0, output });
      if (typeof error.code === 'number') return resolve({ code: error.code, output });
      reject(new Error(`${path.basename(executable)} did not run: ${error.message}`));
    });
  });
}

/** The project's rules files (ops/prometheus/rules/*.yml), by file name, as text. */
export async function projectRules(): Promise<Map<string, string>> {
  const folder = path.join(opsPrometheusDir, 'rules');
  const names = (await readdir(folder)).filter((name) => name.endsWith('.yml')).sort();
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(path.join(folder, name), 'utf8')] as const)));
}

/** The project's ops/prometheus/prometheus.yml, parsed. */
export async function projectConfig(): Promise<PrometheusConfig> {
  return parse(await readFile(path.join(opsPrometheusDir, 'prometheus.yml'), 'utf8')) as PrometheusConfig;
}

export interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: Array<{ targets: string[] }>;
  [key: string]: unknown;
}

export interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
  [key: string]: unknown;
}

export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface RunningPrometheus {
  url: string;
  /** Active alerts (pending and firing; resolved ones are not listed). */
  alerts(): Promise<PrometheusAlert[]>;
  /** An instant query's vector: each sample's labels and value. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop: () => Promise<void>;
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (!response.ok || body.status !== 'success') throw new Error(`${url}: ${response.status} ${body.error ?? ''}`);
  return body.data;
}

/** A server run as a child process for a test: its log kept in `dir`, which `stop()` removes. */
interface Daemon { url: string; stop: () => Promise<void> }

/** Runs `executable` with `args(port)` on a free port of 127.0.0.1; resolves once `readyPath` answers 2xx. */
async function startDaemon(executable: string, args: (port: number) => string[], readyPath: string, dir: string): Promise<Daemon> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const name = path.basename(executable);
  const logFile = path.join(dir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(executable, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = once(child, 'exit');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    log.end();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${(await readFile(logFile, 'utf8')).split('\n').slice(-10).join('\n')}`);
      return fetch(`${url}${readyPath}`).then((response) => (response.ok ? true : undefined), () => undefined);
    }, 30_000, `${name} ready at ${url}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

const scratchDir = (prefix: string) => mkdtemp(path.join(process.env.TEST_SCRATCH_DIR ?? os.tmpdir(), prefix));

/** Alertmanager on a free port of 127.0.0.1 with the config file `configFile` (rendered by the test). */
export async function startAlertmanager(tools: PrometheusTools, configFile: string): Promise<Daemon> {
  const dir = await scratchDir('alertmanager-');
  return startDaemon(tools.alertmanager, (port) => [
    `--config.file=${configFile}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    // A cluster of one: no gossip port to bind.
    '--cluster.listen-address=',
  ], '/-/ready', dir);
}

/** Debian's node exporter on a free port of 127.0.0.1: this machine's disks and memory, as production's. */
export async function startNodeExporter(tools: PrometheusTools): Promise<Daemon> {
  return startDaemon(tools.nodeExporter, (port) => [`--web.listen-address=127.0.0.1:${port}`], '/metrics', await scratchDir('node-exporter-'));
}

/**
 * Starts Prometheus on a free port of 127.0.0.1 with `config` (its `rule_files` set to the given
 * `rules`, written beside it) and its storage in a temporary folder; resolves once `/-/ready` answers.
 */
export async function startPrometheus(tools: PrometheusTools, config: PrometheusConfig, rules: Map<string, string>): Promise<RunningPrometheus> {
  const dir = await scratchDir('prometheus-');
  await mkdir(path.join(dir, 'rules'));
  for (const [name, text] of rules) await writeFile(path.join(dir, 'rules', name), text);
  await writeFile(path.join(dir, 'prometheus.yml'), stringify({ ...config, rule_files: ['rules/*.yml'] }));
  const { url, stop } = await startDaemon(tools.prometheus, (port) => [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], '/-/ready', dir);
  return {
    url,
    alerts: async () => (await api<{ alerts: PrometheusAlert[] }>(`${url}/api/v1/alerts`)).alerts,
    query: async (expr) => {
      const data = await api<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
    },
    stop,
  };
}
