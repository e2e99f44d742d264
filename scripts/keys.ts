/**
 * `npm run keys:new -- <id>` prints a new master key for MASTER_KEYS (put it first to make it current).
 * `npm run keys:rotate` re-wraps every stored object's data key with the current master key and prints
 * a JSON report; once it reports no failure, the older keys may be removed from MASTER_KEYS.
 */
import { loadConfig } from '../platform/config.ts';
import { newMasterKey } from '../platform/crypto/keyring.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { createFileStorage } from '../platform/storage/file-storage.ts';
import { rotateStoredKeys } from '../platform/storage/rotate-keys.ts';

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
  const report = await rotateStoredKeys(createFileStorage(config.DOCUMENT_STORAGE_DIR), keyring);
  console.log(JSON.stringify(report, null, 2));
  if (report.failed.length > 0) process.exit(1);
} else {
  console.error('Usage: npm run keys:new -- <id> | npm run keys:rotate');
  process.exit(2);
}
