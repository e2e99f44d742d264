import pg from 'pg';
import type { Db } from '../db.ts';

/** Whether the database answers (health checks). */
export async function ping(db: Db): Promise<void> {
  await db.query('SELECT 1');
}

/** With a connection to the server's maintenance database: a client used for one statement, then closed. */
async function onServer<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Creates the database unless it exists (another process creating it at the same moment is fine). */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  await onServer(adminUrl, async (admin) => {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return;
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((error: unknown) => {
      if (!(error instanceof pg.DatabaseError && error.code === '42P04')) throw error;
    });
  });
}

/** Drops a database, closing its connections (the test and benchmark runs' own databases). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await onServer(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}
