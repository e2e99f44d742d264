import { fileURLToPath } from 'node:url';
import { createDatabaseIfMissing, dropDatabase } from '../../platform/stores/databases.ts';
import { testEnvironment } from './test-system.ts';

/** The project's migrations, for a test that applies only some of them (`node-pg-migrate`'s runner). */
export const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * A database of the test's own on the run's PostgreSQL, for what must not touch the shared one (a
 * migration played over older data, a purge of the whole database): `create()` it (empty), `drop()` it after.
 */
export function ownDatabase(prefix: string) {
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const url = new URL(testEnvironment().databaseUrl);
  url.pathname = `/${name}`;
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  return {
    url: url.toString(),
    create: () => createDatabaseIfMissing(adminUrl.toString(), name),
    drop: () => dropDatabase(adminUrl.toString(), name),
  };
}
