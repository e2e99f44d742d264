/**
 * `npm run backup`: one backup now (README, "Backups and restore") of DATABASE_URL (or the local
 * default database), the document store (DOCUMENT_STORAGE_DIR, or the DOCUMENT_S3_BUCKET objects) and, when it is ours, Temporal's dev-server database, into
 * BACKUP_S3_BUCKET or BACKUP_DIR; prints a JSON report. `npm run backup -- --list` lists what is kept
 * there. The schedule prunes to BACKUP_KEEP; this command deletes nothing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { backupIdOf } from '../domain/backup.ts';
import { makeBackup } from '../platform/backup/make-backup.ts';
import { BackupRefused } from '../platform/backup/manifest.ts';
import { backupSourcesOf, backupTargetOf } from '../platform/backup/settings.ts';
import { loadConfig } from '../platform/config.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { storageFromConfig } from '../platform/storage/storage-from-config.ts';

const config = loadConfig(process.env);
const target = backupTargetOf(config);
const kept = storageFromConfig(config);
try {
  if (process.argv.includes('--list')) {
    console.log(JSON.stringify({ where: target.where, ...(await target.list()) }, null, 2));
  } else {
    // Beside `npm start` (no TEMPORAL_ADDRESS), Temporal's database is the dev server's file under DATA_DIR.
    const devServerFile = path.join(config.DATA_DIR, 'temporal', 'temporal.db');
    const temporalSqlite = config.BACKUP_TEMPORAL_SQLITE ?? (config.TEMPORAL_ADDRESS === undefined && existsSync(devServerFile) ? devServerFile : undefined);
    const keyring = await loadKeyring(config, (line) => console.error(line));
    const sources = { ...backupSourcesOf(config, config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'), keyring, kept.storage), temporalSqlite };
    const id = backupIdOf(new Date());
    const started = performance.now();
    const made = await makeBackup(sources, target, id);
    if (!made.made) throw new BackupRefused(`A backup ${id} is already in ${target.where}: try again in a second`);
    console.log(JSON.stringify({ id, where: target.where, ...made, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }, null, 2));
  }
} catch (error) {
  if (!(error instanceof BackupRefused)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  target.close();
  kept.close();
}
