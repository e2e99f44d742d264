/**
 * The Temporal dev server's own database (`npm start`: a SQLite file under DATA_DIR/temporal), copied
 * while the server runs with SQLite's `VACUUM INTO`: one read transaction, so a consistent copy that
 * never blocks the server's writes (WAL) and is never torn by them. Done by Debian's `sqlite3`
 * program (`SQLITE3`, else on the PATH); without it the backup goes on without Temporal's database and
 * its manifest says why.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function findSqlite3(configured: string | undefined): Promise<string | undefined> {
  if (configured !== undefined) return configured;
  for (const folder of (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry !== '')) {
    const candidate = path.join(folder, 'sqlite3');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** SQL's string literal. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Copies `source` into `target` (which must not exist); `copied: false` with the reason when it cannot. */
export async function copySqliteDatabase(source: string, target: string, sqlite3Configured: string | undefined): Promise<{ copied: true } | { copied: false; note: string }> {
  if (!(await stat(source).then((entry) => entry.isFile(), () => false))) return { copied: false, note: `Temporal's dev-server database ${source} does not exist` };
  const sqlite3 = await findSqlite3(sqlite3Configured);
  if (sqlite3 === undefined) return { copied: false, note: 'sqlite3 was not found (SQLITE3 or the PATH): install Debian\'s sqlite3 to back up the Temporal dev server\'s database' };
  // -readonly: the copy never writes to the server's file. A busy server is waited for, not failed on.
  await run(sqlite3, ['-readonly', '-bail', '-cmd', '.timeout 30000', source, `VACUUM INTO ${literal(target)}`], { timeout: 10 * 60_000 });
  return { copied: true };
}
