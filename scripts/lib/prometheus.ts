/**
 * Prometheus, promtool, Alertmanager (and its amtool) and node exporter for the ops tests:
 * `PROMETHEUS_PATH`, `PROMTOOL_PATH`, `AMTOOL_PATH`, `ALERTMANAGER_PATH` and `NODE_EXPORTER_PATH` if set, else those on the
 * PATH; when one is missing and this runs as root with apt-get, it installs Debian's `prometheus`,
 * `prometheus-alertmanager` and `prometheus-node-exporter` packages (no recommended extras),
 * updating the package lists only when the install fails for want of them. Without them the alert
 * tests skip, saying why.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { aptInstall, isExecutable, onPath } from './executables.ts';

export type PrometheusLookup =
  | { prometheus: string; promtool: string; amtool: string; alertmanager: string; nodeExporter: string; version: string }
  | { prometheus: undefined; reason: string };

/** The variable's file when set (an error when it is no executable), else `name` on the PATH. */
async function locate(variable: 'PROMETHEUS_PATH' | 'PROMTOOL_PATH' | 'AMTOOL_PATH' | 'ALERTMANAGER_PATH' | 'NODE_EXPORTER_PATH', name: string): Promise<{ path: string | undefined } | { error: string }> {
  const configured = process.env[variable];
  if (configured === undefined || configured === '') return { path: await onPath(name) };
  return (await isExecutable(configured)) ? { path: configured } : { error: `${variable}=${configured} is not an executable file` };
}

/** Debian's packages holding prometheus and promtool, Alertmanager's amtool, and node exporter. */
const packages = ['prometheus', 'prometheus-alertmanager', 'prometheus-node-exporter'];

/** `prometheus --version`'s first line ("prometheus, version 2.42.0 (branch: …)"); rejects when it does not start. */
async function versionOf(executable: string): Promise<string> {
  // Older releases print the version on stderr, newer ones on stdout.
  const { stdout, stderr } = await promisify(execFile)(executable, ['--version'], { timeout: 30_000 });
  return (stdout.trim() === '' ? stderr : stdout).trim().split('\n')[0] ?? '';
}

/** Finds prometheus and promtool, installing Debian's package when missing and allowed; their paths, or why there are none. */
export async function ensurePrometheus(log: (line: string) => void): Promise<PrometheusLookup> {
  const find = async () => ({
    prometheus: await locate('PROMETHEUS_PATH', 'prometheus'), promtool: await locate('PROMTOOL_PATH', 'promtool'), amtool: await locate('AMTOOL_PATH', 'amtool'),
    alertmanager: await locate('ALERTMANAGER_PATH', 'prometheus-alertmanager'), nodeExporter: await locate('NODE_EXPORTER_PATH', 'prometheus-node-exporter'),
  });
  let tools = await find();
  for (const found of Object.values(tools)) if ('error' in found) return { prometheus: undefined, reason: found.error };
  const missing = () => Object.values(tools).some((found) => 'error' in found || found.path === undefined);
  if (missing()) {
    const notInstalled = { prometheus: undefined, reason: `no prometheus, promtool, amtool and prometheus-node-exporter (PROMETHEUS_PATH, PROMTOOL_PATH, AMTOOL_PATH, ALERTMANAGER_PATH and NODE_EXPORTER_PATH, or on the PATH); install Debian's with \`apt-get install --no-install-recommends ${packages.join(' ')}\` (as root), or set the variables` } as const;
    try {
      if (!(await aptInstall(packages, log))) return notInstalled;
    } catch (error) {
      return { prometheus: undefined, reason: `installing ${packages.join(' and ')} failed: ${(error as Error).message}` };
    }
    tools = await find();
    if (missing()) return { prometheus: undefined, reason: `apt-get installed ${packages.join(' and ')} but prometheus, promtool, amtool or prometheus-node-exporter is still not on the PATH` };
    log('Installed prometheus, promtool, amtool and prometheus-node-exporter');
  }
  const path = (found: (typeof tools)['prometheus']) => ('path' in found ? found.path! : '');
  try {
    return {
      prometheus: path(tools.prometheus), promtool: path(tools.promtool), amtool: path(tools.amtool), alertmanager: path(tools.alertmanager), nodeExporter: path(tools.nodeExporter),
      version: await versionOf(path(tools.prometheus)),
    };
  } catch (error) {
    return { prometheus: undefined, reason: `${path(tools.prometheus)} does not start: ${(error as Error).message}` };
  }
}
