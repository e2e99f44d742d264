import pg from 'pg';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;

export interface DbOptions {
  max?: number;
  /** Time to get a connection (DATABASE_CONNECT_TIMEOUT); unset: 5 s. */
  connectTimeoutMs?: number;
  /** PostgreSQL's statement_timeout for every statement (DATABASE_STATEMENT_TIMEOUT); unset: 30 s. */
  statementTimeoutMs?: number;
  /** PostgreSQL's idle_in_transaction_session_timeout (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT); unset: 60 s. */
  idleInTransactionTimeoutMs?: number;
  /** Where a failed idle connection is reported; default a warning line on stderr. */
  onError?: (error: Error & { code?: string }) => void;
}

/** A failed idle connection, reported by its code and PostgreSQL's or the socket's message (never a query's parameters). */
const warnOnStderr = (error: Error & { code?: string }) =>
  console.warn(JSON.stringify({ level: 'warn', msg: 'database pool: an idle connection failed; the pool replaces it', code: error.code ?? error.name, error: error.message }));

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    // No request waits forever for a connection, a statement or a lock, and no transaction is left open.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
  });
  // An idle client losing its connection must not crash the process (the pool replaces it), but it is logged.
  pool.on('error', options.onError ?? warnOnStderr);
  return pool;
}

/**
 * Runs `work` in a transaction; rolls back and rethrows on any error. A connection PostgreSQL ends
 * between two statements (a restart: its notice can come in the same read as the last answer) is
 * reported on the client, not on a statement: heard here, it fails the transaction's next statement
 * and the pool drops the client, instead of an unhandled 'error' ending the process.
 */
export async function inTransaction<T>(db: Db, work: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let lost: Error | undefined;
  const onLost = (error: Error) => {
    lost = error;
  };
  client.on('error', onLost);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', onLost);
    client.release(lost);
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof pg.DatabaseError) || error.code !== '23505') return false;
  return constraint === undefined || error.constraint === constraint;
}
