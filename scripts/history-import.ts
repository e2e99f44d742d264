/**
 * `npm run history:import -- +351912345678 [--days 30]`, or `-- --all [--days 30]`: an operator's
 * backfill of a chat's WhatsApp history (or every chat's) into Chatwoot, as `POST /chats/history-import`
 * does: a workflow the bridge's workers run at their pace, visible in the Web UI (its id is printed).
 * What was relayed already is skipped. Exit status 1 when one for the same is running. On
 * DATABASE_URL (or the local default database), MASTER_KEYS, TEMPORAL_ADDRESS and BRIDGE_TASK_QUEUE.
 */
import { Client, Connection } from '@temporalio/client';
import { startBackfill } from '../api/hand-offs/history-import.ts';
import { chatIdOfPhone } from '../domain/chat.ts';
import { loadConfig } from '../platform/config.ts';
import { systemDataConverter } from '../platform/crypto/data-converter.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { createDb } from '../platform/db.ts';
import { createSubjectKeys, loadPersonalData } from '../platform/stores/data-keys.ts';

const usage = 'Usage: npm run history:import -- <phone with its country code, or a Portuguese one> [--days N]\n       npm run history:import -- --all [--days N]';
const args = process.argv.slice(2);
const daysAt = args.indexOf('--days');
const days = daysAt < 0 ? undefined : Number(args[daysAt + 1]);
const rest = args.filter((_, index) => daysAt < 0 || (index !== daysAt && index !== daysAt + 1));
const all = rest.length === 1 && rest[0] === '--all';
const chatId = all ? undefined : chatIdOfPhone(rest.join(' '));
if (chatId === null || (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 365))) {
  console.error(usage);
  process.exit(2);
}
const config = loadConfig(process.env);
const db = createDb(config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'));
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
try {
  const keyring = await loadKeyring(config, (line) => console.error(line));
  const personal = await loadPersonalData(db, keyring);
  // The import's payloads (a chat's id) are sealed as the system seals them: under the chat's key.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: systemDataConverter(keyring, createSubjectKeys(db, personal)) });
  const started = await startBackfill(temporal, personal, config, { chatId, days });
  if (started.workflowId === null) {
    console.error('A history import of that chat (or of every chat) is running already; wait for it to end');
    process.exitCode = 1;
  } else {
    console.log(JSON.stringify({ workflow_id: started.workflowId, days: started.days }, null, 2));
  }
} finally {
  await connection.close();
  await db.end();
}
