/**
 * Chromium for the browser tests: Debian's package, never a browser Playwright downloads.
 * `CHROMIUM_PATH` if set, else /usr/bin/chromium, else `chromium` on the PATH; when none is there
 * and this runs as root with apt-get, it installs Debian's `chromium` once. Without one the browser
 * tests skip, saying why.
 */
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export type ChromiumLookup = { path: string; version: string } | { path: undefined; reason: string };

const debianPath = '/usr/bin/chromium';

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}

/** The first executable `name` in the PATH's folders. */
async function onPath(name: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== '')) {
    const candidate = path.join(folder, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function findChromium(): Promise<string | undefined> {
  if (await isExecutable(debianPath)) return debianPath;
  return onPath('chromium');
}

/** Runs a command, its output kept; rejects with the output's tail when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.trim().split('\n').slice(-8).join('\n')}`))));
  });
}

/** `chromium --version`'s answer ("Chromium 120.0.6099.224 built on Debian …"); rejects when it does not start. */
async function versionOf(executable: string): Promise<string> {
  // Debian's wrapper script prints a harmless shell warning on stderr on some machines: stdout only.
  const { stdout } = await promisify(execFile)(executable, ['--version'], { timeout: 30_000 });
  return stdout.trim();
}

/** Finds Chromium, installing Debian's package when missing and allowed; the path, or why there is none. */
export async function ensureChromium(log: (line: string) => void): Promise<ChromiumLookup> {
  const configured = process.env.CHROMIUM_PATH;
  let executable: string | undefined;
  if (configured !== undefined && configured !== '') {
    if (!(await isExecutable(configured))) return { path: undefined, reason: `CHROMIUM_PATH=${configured} is not an executable file` };
    executable = configured;
  } else {
    executable = await findChromium();
  }
  if (executable === undefined) {
    const apt = await onPath('apt-get');
    if (process.getuid?.() !== 0 || apt === undefined) {
      return { path: undefined, reason: `no Chromium (CHROMIUM_PATH, ${debianPath} or chromium on the PATH); install Debian's with \`apt-get install chromium\` (as root), or set CHROMIUM_PATH` };
    }
    log(`No Chromium found: installing Debian's package (apt-get update && apt-get install -y chromium; a minute or two)`);
    try {
      await run(apt, ['update']);
      await run(apt, ['install', '-y', 'chromium']);
    } catch (error) {
      return { path: undefined, reason: `installing Chromium failed: ${(error as Error).message}` };
    }
    executable = await findChromium();
    if (executable === undefined) return { path: undefined, reason: `apt-get installed chromium but neither ${debianPath} nor chromium on the PATH exists` };
    log(`Installed Chromium at ${executable}`);
  }
  try {
    return { path: executable, version: await versionOf(executable) };
  } catch (error) {
    return { path: undefined, reason: `${executable} does not start: ${(error as Error).message}` };
  }
}
