/**
 * pg_dump and pg_restore for the backup tests, held to the server's version as the backups hold
 * them (platform/backup/postgres-tools.ts: PG_DUMP / PG_RESTORE, Debian's versioned folder, the
 * PATH). When none will do and this runs as root with apt-get, Debian's `postgresql-client` is
 * installed (the package lists updated only when the install lacks them) and they are looked for
 * again. Without them the backup tests skip, saying why.
 */
import { findPgTool } from '../../platform/backup/postgres-tools.ts';
import { aptInstall } from './executables.ts';

export type PostgresClientLookup = { pgDump: string; pgRestore: string; version: string } | { pgDump: undefined; reason: string };

async function find(serverMajor: number): Promise<PostgresClientLookup> {
  try {
    const pgDump = await findPgTool('pg_dump', process.env.PG_DUMP, serverMajor);
    const pgRestore = await findPgTool('pg_restore', process.env.PG_RESTORE, serverMajor);
    return { pgDump: pgDump.path, pgRestore: pgRestore.path, version: pgDump.version };
  } catch (error) {
    return { pgDump: undefined, reason: (error as Error).message };
  }
}

export async function ensurePostgresClient(serverMajor: number, log: (line: string) => void): Promise<PostgresClientLookup> {
  const found = await find(serverMajor);
  if (found.pgDump !== undefined) return found;
  try {
    if (!(await aptInstall(['postgresql-client'], log))) return found;
  } catch (error) {
    return { pgDump: undefined, reason: `installing postgresql-client failed: ${(error as Error).message}` };
  }
  return find(serverMajor);
}
