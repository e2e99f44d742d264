/**
 * `npm run keys:new -- <id>` prints a new master key for MASTER_KEYS (put it first to make it current).
 * `npm run keys:rotate` re-wraps every data subject's key (in the database) and every other stored
 * object's data key with the current master key, and prints a JSON report; once it reports no
 * failure, the older keys may be removed from MASTER_KEYS. On DATABASE_URL (or the local default
 * database) and the document store (DOCUMENT_STORAGE).
 */
import { loadConfig } from '../platform/config.ts';
import { newMasterKey } from '../platform/crypto/keyring.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { createDb } from '../platform/db.ts';
import { storageFromConfig } from '../platform/storage/storage-from-config.ts';
import { rotateStoredKeys } from '../platform/storage/rotate-keys.ts';
import { createSubjectKeys, loadPersonalData, rewrapDataKeys } from '../platform/stores/data-keys.ts';

const [command, id] = process.argv.slice(2);
if (command === 'new') {
  if (id === undefined) {
    console.error('Usage: npm run keys:new -- <id>   (e.g. 2027-01)');
    process.exit(2);
  }
  console.log(newMasterKey(id));
} else if (command === 'rotate') {
  const config = loadConfig(process.env);
  const keyring = await loadKeyring(config, (line) => console.error(line));
  const db = createDb(config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'));
  const kept = storageFromConfig(config);
  try {
    const subjectKeys = await rewrapDataKeys(db, keyring);
    const files = await rotateStoredKeys(kept.storage, keyring, createSubjectKeys(db, await loadPersonalData(db, keyring)));
    console.log(JSON.stringify({ subjectKeys, files }, null, 2));
    if (subjectKeys.failed.length + files.failed.length > 0) process.exitCode = 1;
  } finally {
    kept.close();
    await db.end();
  }
} else {
  console.error('Usage: npm run keys:new -- <id> | npm run keys:rotate');
  process.exit(2);
}
