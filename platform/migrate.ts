import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createDatabaseIfMissing } from './stores/databases.ts';
import { runner } from 'node-pg-migrate';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/** Creates the database named in `connectionString` when it does not exist yet. */
export async function ensureDatabaseExists(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (name === '') throw new Error('DATABASE_URL must name a database');
  url.pathname = '/postgres';
  await createDatabaseIfMissing(url.toString(), name);
}

/** The migrations this version of the system knows, by the name `pgmigrations` records (the file's name without `.sql`). */
export async function knownMigrations(): Promise<string[]> {
  return (await readdir(migrationsDir)).filter((file) => file.endsWith('.sql')).map((file) => file.slice(0, -'.sql'.length)).sort();
}

export async function migrate(connectionString: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  await ensureDatabaseExists(connectionString);
  const applied = await runner({
    databaseUrl: connectionString,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    log: (message: string) => log(message),
    logger: { debug: () => undefined, info: () => undefined, warn: log, error: log },
  });
  return applied.map((migration) => migration.name);
}
