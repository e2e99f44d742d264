/**
 * Debian's docker-compose for the test that validates docker-compose.yml, found (or installed) by
 * scripts/test.ts and handed over as TEST_DOCKER_COMPOSE_PATH. Without it the test skips, saying why.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const composeFile = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));

/**
 * `docker-compose config` on the project's file with only `env` (no .env file, nothing inherited but
 * PATH), with the given profiles; its output, or the rejection with compose's own words. Undefined
 * (the test skipped) when there is no docker-compose.
 */
export async function composeConfig(t: TestContext, env: Record<string, string>, args: string[]): Promise<string | undefined> {
  const executable = process.env.TEST_DOCKER_COMPOSE_PATH;
  if (executable === undefined || executable === '') {
    t.skip(`no docker-compose: ${process.env.TEST_DOCKER_COMPOSE_MISSING ?? 'TEST_DOCKER_COMPOSE_PATH is not set (run through scripts/test.ts)'}`);
    return undefined;
  }
  // An empty env file, so a developer's .env beside the compose file changes nothing.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'compose-env-'));
  try {
    await writeFile(path.join(dir, 'empty.env'), '');
    const { stdout } = await promisify(execFile)(executable, ['--env-file', path.join(dir, 'empty.env'), '-f', composeFile, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
