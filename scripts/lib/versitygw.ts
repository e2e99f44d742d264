/**
 * Versity's S3 gateway (versitygw), which serves a folder as a real S3 endpoint, for the backup
 * tests' S3 path: `VERSITYGW_PATH` if set, else `versitygw` on the PATH, else the cached build, else
 * a fresh `go install` into ~/.cache/leguas-franzinas (a few minutes, once per machine, like the
 * Temporal builds). Without Go or when the build fails, the S3 tests skip, saying why.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isExecutable, onPath } from './executables.ts';
import { findGo, temporalCliCacheDir, withBuildLock } from './temporal-cli.ts';

export const versitygwVersion = 'v1.8.0';
const versitygwModule = 'github.com/versity/versitygw/cmd/versitygw';

export type VersitygwLookup = { path: string } | { path: undefined; reason: string };

export function versitygwCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(temporalCliCacheDir(env)), `versitygw-${versitygwVersion}`);
}

export async function findOrBuildVersitygw(log: (line: string) => void): Promise<VersitygwLookup> {
  const configured = process.env.VERSITYGW_PATH;
  if (configured !== undefined && configured !== '') {
    return (await isExecutable(configured)) ? { path: configured } : { path: undefined, reason: `VERSITYGW_PATH=${configured} is not an executable file` };
  }
  const found = await onPath('versitygw');
  if (found !== undefined) return { path: found };
  const dir = versitygwCacheDir();
  const cached = path.join(dir, 'versitygw');
  if (await isExecutable(cached)) return { path: cached };
  try {
    await withBuildLock(dir, log, async () => {
      if (await isExecutable(cached)) return;
      const go = await findGo();
      const staging = path.join(dir, `.build-${process.pid}`);
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      const started = Date.now();
      log(`Building versitygw ${versitygwVersion} with Go into ${dir} (once per machine, a few minutes)...`);
      try {
        // CGO off: a static binary, no C compiler needed.
        await promisify(execFile)(go, ['install', `${versitygwModule}@${versitygwVersion}`], {
          env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
          maxBuffer: 16 * 1024 * 1024,
          timeout: 30 * 60_000,
        });
        await rename(path.join(staging, 'versitygw'), cached);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
      log(`Built versitygw in ${Math.round((Date.now() - started) / 1000)} s.`);
    });
  } catch (error) {
    return { path: undefined, reason: `building versitygw ${versitygwVersion} failed: ${(error as Error).message.split('\n').slice(0, 6).join(' ')}` };
  }
  return { path: cached };
}
