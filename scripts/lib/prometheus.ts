/**
 * Prometheus and promtool for the alert tests (ops/prometheus): `PROMETHEUS_PATH` and `PROMTOOL_PATH`
 * if set, else `prometheus` and `promtool` on the PATH; when either is missing and this runs as root
 * with apt-get, it installs Debian's `prometheus` package (both binaries, no recommended extras),
 * updating the package lists only when the install fails for want of them. Without them the alert
 * tests skip, saying why.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isExecutable, onPath, run } from './executables.ts';

export type PrometheusLookup =
  | { prometheus: string; promtool: string; version: string }
  | { prometheus: undefined; reason: string };

/** The variable's file when set (an error when it is no executable), else `name` on the PATH. */
async function locate(variable: 'PROMETHEUS_PATH' | 'PROMTOOL_PATH', name: string): Promise<{ path: string | undefined } | { error: string }> {
  const configured = process.env[variable];
  if (configured === undefined || configured === '') return { path: await onPath(name) };
  return (await isExecutable(configured)) ? { path: configured } : { error: `${variable}=${configured} is not an executable file` };
}

/** What apt-get says when its package lists are missing or stale: `apt-get update` helps. */
const wantsLists = /Unable to locate package|has no installation candidate|Failed to fetch|apt-get update/;

/** `apt-get install prometheus`, after `apt-get update` only when the first try lacked the lists. */
async function installDebianPackage(apt: string, log: (line: string) => void): Promise<void> {
  const install = () => run(apt, ['install', '-y', '--no-install-recommends', 'prometheus']);
  try {
    await install();
  } catch (error) {
    if (!wantsLists.test((error as Error).message)) throw error;
    log('apt-get has no usable package lists: apt-get update, then the install again');
    await run(apt, ['update']);
    await install();
  }
}

/** `prometheus --version`'s first line ("prometheus, version 2.42.0 (branch: …)"); rejects when it does not start. */
async function versionOf(executable: string): Promise<string> {
  // Older releases print the version on stderr, newer ones on stdout.
  const { stdout, stderr } = await promisify(execFile)(executable, ['--version'], { timeout: 30_000 });
  return (stdout.trim() === '' ? stderr : stdout).trim().split('\n')[0] ?? '';
}

/** Finds prometheus and promtool, installing Debian's package when missing and allowed; their paths, or why there are none. */
export async function ensurePrometheus(log: (line: string) => void): Promise<PrometheusLookup> {
  let prometheus = await locate('PROMETHEUS_PATH', 'prometheus');
  let promtool = await locate('PROMTOOL_PATH', 'promtool');
  if ('error' in prometheus) return { prometheus: undefined, reason: prometheus.error };
  if ('error' in promtool) return { prometheus: undefined, reason: promtool.error };
  if (prometheus.path === undefined || promtool.path === undefined) {
    const apt = await onPath('apt-get');
    if (process.getuid?.() !== 0 || apt === undefined) {
      return { prometheus: undefined, reason: 'no prometheus and promtool (PROMETHEUS_PATH and PROMTOOL_PATH, or on the PATH); install Debian\'s with `apt-get install --no-install-recommends prometheus` (as root), or set both variables' };
    }
    log('No prometheus or promtool found: installing Debian\'s package (apt-get install -y --no-install-recommends prometheus)');
    try {
      await installDebianPackage(apt, log);
    } catch (error) {
      return { prometheus: undefined, reason: `installing prometheus failed: ${(error as Error).message}` };
    }
    prometheus = await locate('PROMETHEUS_PATH', 'prometheus');
    promtool = await locate('PROMTOOL_PATH', 'promtool');
    if ('error' in prometheus || 'error' in promtool || prometheus.path === undefined || promtool.path === undefined) {
      return { prometheus: undefined, reason: 'apt-get installed prometheus but prometheus or promtool is still not on the PATH' };
    }
    log(`Installed prometheus at ${prometheus.path}`);
  }
  try {
    return { prometheus: prometheus.path, promtool: promtool.path, version: await versionOf(prometheus.path) };
  } catch (error) {
    return { prometheus: undefined, reason: `${prometheus.path} does not start: ${(error as Error).message}` };
  }
}
