/**
 * Chromium for the browser tests: Debian's package, never a browser Playwright downloads.
 * `CHROMIUM_PATH` if set, else /usr/bin/chromium, else `chromium` on the PATH; when none is there
 * and this runs as root with apt-get, it installs Debian's `chromium` once. Without one the browser
 * tests skip, saying why.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isExecutable, onPath, run } from './executables.ts';

export type ChromiumLookup = { path: string; version: string } | { path: undefined; reason: string };

const debianPath = '/usr/bin/chromium';

async function findChromium(): Promise<string | undefined> {
  if (await isExecutable(debianPath)) return debianPath;
  return onPath('chromium');
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
