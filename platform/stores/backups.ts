/**
 * What a backup and a restore ask the database itself (platform/backup/): a snapshot held open while
 * `pg_dump` reads the same one (`pg_export_snapshot`), and in it the storage keys the rows refer to,
 * the rows per table, the schema version and the master keys the data keys are wrapped by; the
 * server's version; whether a database is empty.
 */
import pg from 'pg';
import { openConnection, withConnection } from './databases.ts';

type Client = pg.Client | pg.PoolClient;

/** Every stored file a row refers to: a registration's documents, thumbnails and received originals, a chat's media. */
const referencedKeysSql = `
  SELECT received_key AS key FROM registration_documents WHERE received_key IS NOT NULL
  UNION SELECT storage_key FROM registration_documents WHERE storage_key IS NOT NULL
  UNION SELECT thumbnail_key FROM registration_documents WHERE thumbnail_key IS NOT NULL
  UNION SELECT media_key FROM bridge_messages WHERE media_key IS NOT NULL`;

/** Rows per table of the schema `public`. */
export async function tableCounts(client: Client): Promise<Record<string, number>> {
  const tables = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
  if (tables.rows.length === 0) return {};
  const union = tables.rows.map((table, index) => `SELECT ${index} AS i, count(*)::bigint AS n FROM public.${pg.escapeIdentifier(table.name)}`).join(' UNION ALL ');
  const counted = await client.query<{ i: number; n: string }>(union);
  const byIndex = new Map(counted.rows.map((row) => [Number(row.i), Number(row.n)]));
  return Object.fromEntries(tables.rows.map((table, index) => [table.name, byIndex.get(index) ?? 0]));
}

export interface DatabaseSnapshot {
  /** For `pg_dump --snapshot`. */
  id: string;
  referencedKeys(): Promise<Set<string>>;
  counts(): Promise<Record<string, number>>;
  /** The last migration applied. */
  schemaVersion(): Promise<string>;
  /** The ids of the master keys that wrap the data subjects' keys. */
  dataKeyMasterIds(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A read-only snapshot of the database on a connection of its own (no statement or idle timeout: it
 * only holds the snapshot while the dump runs), until `close()`.
 */
export async function openSnapshot(url: string): Promise<DatabaseSnapshot> {
  const client = await openConnection(url);
  try {
    await client.query('SET statement_timeout = 0');
    await client.query('SET idle_in_transaction_session_timeout = 0');
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    return {
      id: rows[0]!.id,
      referencedKeys: async () => new Set((await client.query<{ key: string }>(referencedKeysSql)).rows.map((row) => row.key)),
      counts: () => tableCounts(client),
      async schemaVersion() {
        const latest = await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY name DESC LIMIT 1');
        if (latest.rows[0] === undefined) throw new Error('The database has no migrations applied: nothing to back up');
        return latest.rows[0].name;
      },
      dataKeyMasterIds: async () => (await client.query<{ id: string }>('SELECT DISTINCT master_key_id AS id FROM data_keys ORDER BY 1')).rows.map((row) => row.id),
      async close() {
        await client.query('COMMIT').catch(() => undefined);
        await client.end();
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/** The server's version: `major` (e.g. 15) and its text (e.g. "15.20"). */
export async function serverVersion(url: string): Promise<{ major: number; text: string }> {
  return withConnection(url, async (client) => {
    const { rows } = await client.query<{ num: string; text: string }>("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text");
    return { major: Math.floor(Number(rows[0]!.num) / 10_000), text: rows[0]!.text.split(' ')[0]! };
  });
}

/** Tables, views and sequences outside PostgreSQL's own schemas; 0 for a database that does not exist yet. */
export async function relationCount(url: string): Promise<number> {
  try {
    return await withConnection(url, async (client) => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg\\_%'`,
      );
      return rows[0]!.n;
    });
  } catch (error) {
    // 3D000: no such database (the restore creates it).
    if (error instanceof pg.DatabaseError && error.code === '3D000') return 0;
    throw error;
  }
}

/** The rows per table of a database (a restore's check against its manifest). */
export const countRows = (url: string) => withConnection(url, tableCounts);

