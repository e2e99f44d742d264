/** `npm run migrate`: applies pending migrations to DATABASE_URL (required here: no server is started). */
import { loadConfig } from '../platform/config.ts';
import { migrate } from '../platform/migrate.ts';

const config = loadConfig(process.env);
if (config.DATABASE_URL === undefined) {
  console.error('DATABASE_URL is required for npm run migrate');
  process.exit(1);
}
const applied = await migrate(config.DATABASE_URL, (line) => console.log(line));
console.log(applied.length === 0 ? 'Database is up to date' : `Applied: ${applied.join(', ')}`);
