/** Finding programs and running them, for the test tooling that installs Debian's packages (chromium.ts, prometheus.ts, postgresql-client.ts, docker-compose.ts). */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

export async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(() => true, () => false);
}

/** The first executable `name` in the PATH's folders. */
export async function onPath(name: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== '')) {
    const candidate = path.join(folder, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a command non-interactively; resolves with its output, rejects with the output's tail when it fails. */
export function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.trim().split('\n').slice(-8).join('\n')}`))));
  });
}

/** What apt-get says when its package lists are missing or stale: `apt-get update` helps. */
const wantsLists = /Unable to locate package|has no installation candidate|Failed to fetch|apt-get update/;

/**
 * `apt-get install -y --no-install-recommends` of Debian's packages, after `apt-get update` only when
 * the first try lacked the lists. Resolves false, installing nothing, when this is not root with
 * apt-get; rejects with apt-get's own words when the install fails.
 */
export async function aptInstall(packages: readonly string[], log: (line: string) => void): Promise<boolean> {
  const apt = await onPath('apt-get');
  if (process.getuid?.() !== 0 || apt === undefined) return false;
  log(`Installing Debian's ${packages.join(', ')} (apt-get install -y --no-install-recommends)`);
  const install = () => run(apt, ['install', '-y', '--no-install-recommends', ...packages]);
  try {
    await install();
  } catch (error) {
    if (!wantsLists.test((error as Error).message)) throw error;
    log('apt-get has no usable package lists: apt-get update, then the install again');
    await run(apt, ['update']);
    await install();
  }
  return true;
}

export type ProgramLookup = { path: string; version: string } | { path: undefined; reason: string };

/**
 * A program from one of Debian's packages, for the tests that run it: the variable's file if set,
 * else the program on the PATH, else the package installed (as root with apt-get), then looked for
 * again. Its version is the first line `versionArgs` prints. Without it, why there is none.
 */
export async function ensureDebianProgram(
  spec: { variable: string; program: string; debianPackage: string; versionArgs: string[] },
  log: (line: string) => void,
): Promise<ProgramLookup> {
  const configured = process.env[spec.variable];
  if (configured !== undefined && configured !== '' && !(await isExecutable(configured))) {
    return { path: undefined, reason: `${spec.variable}=${configured} is not an executable file` };
  }
  let executable = configured || (await onPath(spec.program));
  if (executable === undefined) {
    try {
      if (!(await aptInstall([spec.debianPackage], log))) {
        return { path: undefined, reason: `no ${spec.program} (${spec.variable} or on the PATH); install Debian's with \`apt-get install ${spec.debianPackage}\` (as root), or set ${spec.variable}` };
      }
    } catch (error) {
      return { path: undefined, reason: `installing ${spec.debianPackage} failed: ${(error as Error).message}` };
    }
    executable = await onPath(spec.program);
    if (executable === undefined) return { path: undefined, reason: `apt-get installed ${spec.debianPackage} but ${spec.program} is not on the PATH` };
  }
  try {
    const output = await run(executable, spec.versionArgs);
    return { path: executable, version: output.trim().split('\n')[0] ?? '' };
  } catch (error) {
    return { path: undefined, reason: `${executable} does not start: ${(error as Error).message}` };
  }
}
