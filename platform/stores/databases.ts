import pg from 'pg';
import type { Db } from '../db.ts';

/** Whether the database answers (health checks). */
export async function ping(db: Db): Promise<void> {
  await db.query('SELECT 1');
}

/**
 * A connection of its own to the database at `url` (not the pool's). Its loss while no statement runs
 * (PostgreSQL restarting) fails its next statement instead of ending the process with an unhandled 'error'.
 */
export async function openConnection(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A connection of its own to the database at `url`, used for `work`, then closed. */
export async function withConnection<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await openConnection(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists (another process creating it at the same moment is fine). */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  await withConnection(adminUrl, async (admin) => {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return;
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((error: unknown) => {
      if (!(error instanceof pg.DatabaseError && error.code === '42P04')) throw error;
    });
  });
}

/** Drops a database, closing its connections (the test and benchmark runs' own databases). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withConnection(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}
