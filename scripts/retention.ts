/**
 * `npm run retention -- --dry-run` lists what the retention schedule would delete now (README,
 * "Personal data"), as JSON; without `--dry-run` it deletes it, as the schedule does. On
 * DATABASE_URL (or the local default database) and the document store (DOCUMENT_STORAGE), with the RETENTION_* periods.
 */
import { loadConfig } from '../platform/config.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { createDb } from '../platform/db.ts';
import { purgeExpired } from '../platform/retention.ts';
import { storageFromConfig } from '../platform/storage/storage-from-config.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { loadPersonalData } from '../platform/stores/data-keys.ts';

const config = loadConfig(process.env);
const db = createDb(config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'));
const kept = storageFromConfig(config);
try {
  // Erasing a registration destroys its data key: the keys are needed to name it.
  const personal = await loadPersonalData(db, await loadKeyring(config, (line) => console.error(line)));
  const rules = { rejectedAfterMs: config.RETENTION_REJECTED_AFTER, chatMediaAfterMs: config.RETENTION_CHAT_MEDIA_AFTER, botRecordsAfterMs: config.RETENTION_BOT_RECORDS_AFTER };
  const report = await purgeExpired({ db, personal, storage: kept.storage }, rules, process.argv.includes('--dry-run'));
  console.log(JSON.stringify(report, null, 2));
} finally {
  kept.close();
  await db.end();
}
