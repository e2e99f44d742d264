/**
 * `npm run restore -- <backup> [--temporal-db <file>]`: a backup (README, "Backups and restore") back
 * into an empty database (DATABASE_URL, or the local default database; made when missing) and an empty
 * DOCUMENT_STORAGE_DIR, with the MASTER_KEYS it was made under. `<backup>` is a backup's folder, or
 * its id in BACKUP_S3_BUCKET or BACKUP_DIR. `--temporal-db` also puts Temporal's dev-server database
 * from the backup at that file (which must not exist; the dev server stopped). Prints a JSON report;
 * a refusal is one line on stderr, exit status 1, and nothing changed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BackupRefused, manifestFile } from '../platform/backup/manifest.ts';
import { restoreBackup } from '../platform/backup/restore-backup.ts';
import { backupTargetOf, restoreRefusalOf } from '../platform/backup/settings.ts';
import { folderTarget } from '../platform/backup/targets.ts';
import { loadConfig } from '../platform/config.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';

const args = process.argv.slice(2);
const temporalAt = args.indexOf('--temporal-db');
const temporalSqlite = temporalAt < 0 ? undefined : args[temporalAt + 1];
const backup = args.find((arg, index) => !arg.startsWith('--') && (temporalAt < 0 || index !== temporalAt + 1));
if (backup === undefined || (temporalAt >= 0 && temporalSqlite === undefined)) {
  console.error('Usage: npm run restore -- <backup folder or id> [--temporal-db <file>]');
  process.exit(2);
}

const config = loadConfig(process.env);
const refusal = restoreRefusalOf(config);
if (refusal !== undefined) {
  console.error(refusal);
  process.exit(1);
}
// A folder holding a manifest is read where it is; anything else is an id where backups are kept.
const inFolder = existsSync(path.join(backup, manifestFile));
const source = inFolder ? folderTarget(path.dirname(path.resolve(backup))) : backupTargetOf(config);
const id = inFolder ? path.basename(path.resolve(backup)) : backup;
try {
  const started = performance.now();
  const report = await restoreBackup(source, id, {
    databaseUrl: config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'),
    storageDir: config.DOCUMENT_STORAGE_DIR,
    keyring: await loadKeyring(config, (line) => console.error(line)),
    pgRestore: config.PG_RESTORE,
    temporalSqlite,
    progress: (line) => console.error(`[restore] ${line}`),
  });
  console.log(JSON.stringify({ ...report, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }, null, 2));
} catch (error) {
  if (!(error instanceof BackupRefused)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  source.close();
}
