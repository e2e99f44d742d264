/**
 * PostgreSQL's own client tools, `pg_dump` and `pg_restore`: found (`PG_DUMP` / `PG_RESTORE`, else
 * Debian's `/usr/lib/postgresql/<server major>/bin`, else the PATH), held to the server's version
 * (a `pg_dump` older than the server cannot dump it), and run with the password in the environment,
 * never on the command line.
 */
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BackupRefused } from './manifest.ts';

export interface PgTool {
  name: 'pg_dump' | 'pg_restore';
  path: string;
  /** e.g. "15.20" */
  version: string;
  major: number;
}

const variableOf = { pg_dump: 'PG_DUMP', pg_restore: 'PG_RESTORE' } as const;

const isExecutable = (file: string) => access(file, constants.X_OK).then(() => true, () => false);

async function onPath(name: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== '')) {
    if (await isExecutable(path.join(folder, name))) return path.join(folder, name);
  }
  return undefined;
}

const installHint = (major: number) =>
  `Install PostgreSQL ${major}'s client tools (Debian and Ubuntu: apt-get install postgresql-client-${major}, from apt.postgresql.org when the distribution's own is older) ` +
  `and set PG_DUMP and PG_RESTORE to them (e.g. /usr/lib/postgresql/${major}/bin/pg_dump), or put them on the PATH.`;

/** The tool's version ("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"), or undefined when it does not run. */
async function versionOf(file: string): Promise<{ version: string; major: number } | undefined> {
  try {
    const { stdout } = await promisify(execFile)(file, ['--version'], { timeout: 15_000 });
    const found = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
    return found === null ? undefined : { version: found[2] === undefined ? found[1]! : `${found[1]}.${found[2]}`, major: Number(found[1]) };
  } catch {
    return undefined;
  }
}

/**
 * The tool for a server of major version `serverMajor`: the configured one (refused when it is
 * older), else the newest found of Debian's versioned folder and the PATH; `BackupRefused` saying
 * what to install when none will do.
 */
export async function findPgTool(name: PgTool['name'], configured: string | undefined, serverMajor: number): Promise<PgTool> {
  const candidates = configured !== undefined ? [configured] : [path.join('/usr/lib/postgresql', String(serverMajor), 'bin', name), await onPath(name)].filter((file): file is string => file !== undefined);
  let older: PgTool | undefined;
  for (const file of candidates) {
    const version = await versionOf(file);
    if (version === undefined) {
      if (configured !== undefined) throw new BackupRefused(`${variableOf[name]}=${configured} is not a ${name} that runs. ${installHint(serverMajor)}`);
      continue;
    }
    const tool = { name, path: file, ...version };
    if (tool.major >= serverMajor) return tool;
    older ??= tool;
  }
  if (older !== undefined) {
    const what = name === 'pg_dump' ? 'cannot dump it' : 'may not restore into it';
    throw new BackupRefused(`${name} ${older.version} (${older.path}) is older than the PostgreSQL ${serverMajor} server and ${what}. ${installHint(serverMajor)}`);
  }
  throw new BackupRefused(`${name} was not found (${variableOf[name]}, /usr/lib/postgresql/${serverMajor}/bin or the PATH). ${installHint(serverMajor)}`);
}

/** The connection string without its password, and the password for PGPASSWORD (kept off the command line). */
function connectionOf(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: { ...process.env, ...(password === '' ? {} : { PGPASSWORD: password }) } };
}

/**
 * The last lines a tool wrote on stderr, for the error it fails with. PostgreSQL's messages name
 * objects, but a COPY error's context and a failing row's detail quote the row: those lines are
 * cut to their first words, so no stored value reaches an error or a log.
 */
function stderrTail(child: ReturnType<typeof spawn>): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  const withoutRows = (line: string) => line
    .replace(/^(\s*CONTEXT:\s+COPY \S+, line \d+).*$/, '$1 (row not shown)')
    .replace(/^(\s*DETAIL:\s+).*$/, '$1(not shown)')
    .replace(/^(.*\bline \d+): ".*$/, '$1 (row not shown)');
  return () => tail.trim().split('\n').slice(-6).map(withoutRows).join('\n');
}

const exitOf = (child: ReturnType<typeof spawn>) => new Promise<number>((resolve, reject) => {
  child.once('error', reject);
  child.once('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
});

/** `pg_dump --format=custom` of the database in the exported snapshot, as a stream; fails at its end when the dump failed. */
export async function* dumpDatabase(tool: PgTool, url: string, snapshotId: string): AsyncGenerator<Buffer> {
  const { dbname, env } = connectionOf(url);
  const child = spawn(tool.path, ['--format=custom', '--no-owner', '--no-privileges', `--snapshot=${snapshotId}`, `--dbname=${dbname}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const tail = stderrTail(child);
  let read = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk;
    read = true;
  } finally {
    // Whoever reads stopped before the end (a failure downstream): the dump is not wanted any more.
    if (!read) child.kill('SIGTERM');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`pg_dump failed (exit ${code}): ${tail()}`);
}

/** `pg_restore` of a custom-format dump file into the database, in one transaction: all of it, or nothing. */
export async function restoreDatabase(tool: PgTool, url: string, dumpFile: string): Promise<void> {
  const { dbname, env } = connectionOf(url);
  const child = spawn(tool.path, ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${dbname}`, dumpFile], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const tail = stderrTail(child);
  const code = await exitOf(child);
  if (code !== 0) throw new Error(`pg_restore failed (exit ${code}); the database was left as it was: ${tail()}`);
}
