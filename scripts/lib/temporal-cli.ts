import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/**
 * The Temporal CLI is not on npm: its official release is downloaded once (where the SDK's own test
 * server gets it), checked against the checksums Temporal publishes with the release, and cached
 * outside the repo; built from source with Go only when no download is possible.
 */
export const temporalCliVersion = 'v1.5.1';
const temporalCliModule = 'github.com/temporalio/cli/cmd/temporal';
/** Where the SDK's test server asks for a release's archive (`TEMPORAL_CLI_DOWNLOAD_URL` to use another). */
const defaultDownloadUrl = 'https://temporal.download';
/** The checksums published with the release (`TEMPORAL_CLI_CHECKSUMS_URL` to use another). */
const defaultChecksumsUrl = `https://github.com/temporalio/cli/releases/download/${temporalCliVersion}/temporal_cli_${temporalCliVersion.slice(1)}_checksums.txt`;
const buildLockTimeoutMs = 30 * 60_000;

const execFileAsync = promisify(execFile);
type Log = (line: string) => void;

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'leguas-franzinas', `temporal-cli-${temporalCliVersion}`);
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}

/** The first line of `<cli> --version`, or undefined when it does not run. */
async function cliVersion(cli: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(cli, ['--version'], { timeout: 15_000 });
    return stdout.trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/**
 * The Temporal CLI to run: `TEMPORAL_CLI`, else `temporal` on PATH, else the cached one, else the
 * official release downloaded and checked into the cache (seconds), else, when it cannot be
 * downloaded, a `go install` into the cache (minutes, once per machine).
 */
export async function findOrBuildTemporalCli(log: Log = () => undefined): Promise<string> {
  const configured = process.env.TEMPORAL_CLI;
  if (configured) {
    if (!(await isExecutable(configured))) {
      throw new Error(`TEMPORAL_CLI=${configured} is not an executable file. Point it at a Temporal CLI binary or unset it.`);
    }
    return configured;
  }
  const onPath = await cliVersion('temporal');
  if (onPath !== undefined) {
    log(`Using the Temporal CLI on PATH (${onPath}).`);
    return 'temporal';
  }
  const dir = temporalCliCacheDir();
  const cached = path.join(dir, 'temporal');
  if (await isExecutable(cached)) return cached;

  await withBuildLock(dir, log, async () => {
    if (await isExecutable(cached)) return; // built by whoever held the lock before us
    const downloaded = await downloadTemporalCli(dir, log);
    if (downloaded !== 'downloaded') {
      log(`The Temporal CLI release could not be downloaded (${downloaded.unavailable}): building it with Go instead.`);
      await buildTemporalCli(dir, log);
    }
  });
  return cached;
}

/** A release that does not match its published checksum: never run, never silently replaced by a build. */
export class TemporalCliChecksumError extends Error {}

const releasePlatform = (): { platform: string; arch: string } | undefined => {
  const platform = ({ linux: 'linux', darwin: 'darwin' } as Partial<Record<NodeJS.Platform, string>>)[process.platform];
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Partial<Record<string, string>>)[process.arch];
  return platform === undefined || arch === undefined ? undefined : { platform, arch };
};

async function fetchOk(url: string, timeoutMs: number): Promise<Response> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status}`);
  return response;
}

/**
 * The official archive for this platform (the download service's answer names it and the file in
 * it), its SHA-256 compared with the line for `temporal_cli_<version>_<platform>_<arch>.tar.gz` in
 * the release's checksums, then unpacked with `tar` into a staging folder and renamed into place.
 * Resolves `{ unavailable }` when it cannot be had (offline, no such platform); a checksum that does
 * not match throws TemporalCliChecksumError.
 */
export async function downloadTemporalCli(dir: string, log: Log, env: NodeJS.ProcessEnv = process.env): Promise<'downloaded' | { unavailable: string }> {
  const target = releasePlatform();
  if (target === undefined) return { unavailable: `no release for ${process.platform}/${process.arch}` };
  const assetName = `temporal_cli_${temporalCliVersion.slice(1)}_${target.platform}_${target.arch}.tar.gz`;
  const infoUrl = new URL(`cli/${temporalCliVersion}`, `${(env.TEMPORAL_CLI_DOWNLOAD_URL || defaultDownloadUrl).replace(/\/?$/, '/')}`);
  infoUrl.search = new URLSearchParams(target).toString();
  let archive: Buffer;
  let fileToExtract: string;
  let checksums: string;
  try {
    const info = (await (await fetchOk(infoUrl.href, 15_000)).json()) as { archiveUrl?: unknown; fileToExtract?: unknown };
    if (typeof info.archiveUrl !== 'string' || typeof info.fileToExtract !== 'string') throw new Error(`${infoUrl.host} did not name an archive`);
    fileToExtract = info.fileToExtract;
    checksums = await (await fetchOk(env.TEMPORAL_CLI_CHECKSUMS_URL || defaultChecksumsUrl, 15_000)).text();
    log(`Downloading the Temporal CLI ${temporalCliVersion} (${assetName})...`);
    archive = Buffer.from(await (await fetchOk(info.archiveUrl, 5 * 60_000)).arrayBuffer());
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  const published = checksums.split('\n').map((line) => line.trim().split(/\s+/)).find(([, name]) => name === assetName)?.[0];
  const actual = createHash('sha256').update(archive).digest('hex');
  if (published === undefined) throw new TemporalCliChecksumError(`The Temporal CLI release's checksums do not list ${assetName}: not installed.`);
  if (published.toLowerCase() !== actual) {
    throw new TemporalCliChecksumError(`The downloaded ${assetName} has SHA-256 ${actual}, not the published ${published}: not installed. Set TEMPORAL_CLI to a binary you trust, or retry later.`);
  }
  if (!/^[\w.-]+$/.test(fileToExtract)) throw new TemporalCliChecksumError(`The download service named an unexpected file in the archive (${fileToExtract}).`);
  const staging = path.join(dir, `.download-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(path.join(staging, assetName), archive);
    await execFileAsync('tar', ['-xzf', assetName, fileToExtract], { cwd: staging });
    const binary = path.join(staging, fileToExtract);
    await chmod(binary, 0o755);
    const version = await cliVersion(binary);
    if (!version?.includes(temporalCliVersion.slice(1))) return { unavailable: `the downloaded ${fileToExtract} does not run here as version ${temporalCliVersion} (${version ?? 'no answer'})` };
    await rename(binary, path.join(dir, 'temporal'));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log(`Temporal CLI ${temporalCliVersion} downloaded, SHA-256 checked against the release's checksums, into ${dir}.`);
  return 'downloaded';
}

/** A mkdir lock: only one process builds; the others wait. A lock left by a dead process is taken over. */
export async function withBuildLock(dir: string, log: Log, build: () => Promise<void>): Promise<void> {
  const lock = path.join(dir, 'build.lock');
  await mkdir(dir, { recursive: true });
  const deadline = Date.now() + buildLockTimeoutMs;
  let announced = false;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await lockIsStale(lock)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another build of the Temporal CLI (lock ${lock}).`);
    if (!announced) log(`Another process is building the Temporal CLI; waiting (lock ${lock}).`);
    announced = true;
    await sleep(1000);
  }
  try {
    await writeFile(path.join(lock, 'pid'), String(process.pid));
    await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function lockIsStale(lock: string): Promise<boolean> {
  const pid = Number(await readFile(path.join(lock, 'pid'), 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) {
    // Just created and the pid not written yet, unless its owner died in between.
    const created = await stat(lock).then((info) => info.mtimeMs, () => Date.now());
    return Date.now() - created > 60_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function findGo(): Promise<string> {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    try {
      await execFileAsync(candidate, ['version'], { timeout: 15_000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `The Temporal CLI ${temporalCliVersion} is not installed and Go, needed to build it once, was not found. ` +
      'Install Go (https://go.dev/doc/install) and run again, or set TEMPORAL_CLI to an existing `temporal` binary ' +
      '(or put one on PATH), or set TEMPORAL_ADDRESS to use a running Temporal server.',
  );
}

/** `go install` into a staging GOBIN, then an atomic rename: a killed build never leaves a half-written binary. */
async function buildTemporalCli(dir: string, log: Log): Promise<void> {
  const go = await findGo();
  const staging = path.join(dir, `.build-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  log(`Building the Temporal CLI ${temporalCliVersion} with Go into ${dir} (once per machine, a few minutes)...`);
  const started = Date.now();
  await mkdir(staging, { recursive: true });
  const tail: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    // CGO off: the CLI's SQLite is pure Go, so no C compiler is needed.
    const child = spawn(go, ['install', `${temporalCliModule}@${temporalCliVersion}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onLine = (line: string) => {
      if (line.trim() === '') return;
      log(`  ${line}`);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.on('error', reject);
    child.on('close', resolve);
  });
  try {
    if (code !== 0) {
      throw new Error(`go install ${temporalCliModule}@${temporalCliVersion} failed (exit ${code}):\n${tail.join('\n')}`);
    }
    await rename(path.join(staging, 'temporal'), path.join(dir, 'temporal'));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s.`);
}
