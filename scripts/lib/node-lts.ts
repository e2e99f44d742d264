/**
 * The Node.js LTS the production image runs (Dockerfile), for the test that runs the built code on
 * it as well as on the Node that runs the tests: `NODE_LTS_PATH` if set, else the copy cached in
 * ~/.cache/leguas-franzinas, else Node's own build for this platform from the npm registry (the
 * `node-<platform>-<arch>` package, which is what the `node` package installs), once per machine.
 * Where there is none, the test skips saying why.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isExecutable } from './executables.ts';
import { temporalCliCacheDir, withBuildLock } from './temporal-cli.ts';

/** The version in the Dockerfile's `FROM node:<version>-…` lines (a unit test holds them together). */
export const nodeLtsVersion = '24.22.3';

export type NodeLtsLookup = { path: string } | { path: undefined; reason: string };

export async function findOrInstallNodeLts(log: (line: string) => void): Promise<NodeLtsLookup> {
  const configured = process.env.NODE_LTS_PATH;
  if (configured !== undefined && configured !== '') {
    return (await isExecutable(configured)) ? { path: configured } : { path: undefined, reason: `NODE_LTS_PATH=${configured} is not an executable file` };
  }
  if (process.version === `v${nodeLtsVersion}`) return { path: process.execPath };
  const arch = ({ x64: 'x64', arm64: 'arm64' } as Partial<Record<string, string>>)[process.arch];
  if ((process.platform !== 'linux' && process.platform !== 'darwin') || arch === undefined) {
    return { path: undefined, reason: `no Node.js package for ${process.platform}/${process.arch}` };
  }
  const packageName = `node-${process.platform}-${arch}`;
  const dir = path.join(path.dirname(temporalCliCacheDir()), `node-v${nodeLtsVersion}`);
  const binary = path.join(dir, 'node_modules', packageName, 'bin', 'node');
  if (await isExecutable(binary)) return { path: binary };
  try {
    await withBuildLock(dir, log, async () => {
      if (await isExecutable(binary)) return;
      const staging = path.join(dir, `.install-${process.pid}`);
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      log(`Installing Node.js ${nodeLtsVersion} (${packageName} from the npm registry) into ${dir}...`);
      try {
        await promisify(execFile)('npm', ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${packageName}@${nodeLtsVersion}`], {
          maxBuffer: 16 * 1024 * 1024,
          timeout: 10 * 60_000,
        });
        await rm(path.join(dir, 'node_modules'), { recursive: true, force: true });
        await rename(path.join(staging, 'node_modules'), path.join(dir, 'node_modules'));
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });
  } catch (error) {
    return { path: undefined, reason: `installing Node.js ${nodeLtsVersion} failed: ${(error as Error).message.split('\n').slice(0, 4).join(' ')}` };
  }
  return (await isExecutable(binary)) ? { path: binary } : { path: undefined, reason: `${packageName}@${nodeLtsVersion} has no bin/node` };
}
