/**
 * `npm run find-chat -- +351912345678`: the Temporal workflow of the chat with that phone (chats'
 * workflow ids are keyed hashes, so Temporal's Web UI cannot be searched by phone). Prints its id and
 * status as JSON; exit status 1 when no chat with that phone ever ran. On DATABASE_URL (or the local
 * default database, which holds the index key), MASTER_KEYS and TEMPORAL_ADDRESS.
 */
import { Client, Connection } from '@temporalio/client';
import { findChatWorkflow } from '../api/hand-offs/chat.ts';
import { chatIdOfPhone } from '../domain/chat.ts';
import { loadConfig } from '../platform/config.ts';
import { loadKeyring } from '../platform/crypto/load-keyring.ts';
import { localDatabaseUrl } from '../platform/database-server.ts';
import { createDb } from '../platform/db.ts';
import { loadPersonalData } from '../platform/stores/data-keys.ts';

const typed = process.argv.slice(2).join(' ');
const chatId = chatIdOfPhone(typed);
if (chatId === null) {
  console.error('Usage: npm run find-chat -- <phone with its country code, or a Portuguese one>');
  process.exit(2);
}
const config = loadConfig(process.env);
const db = createDb(config.DATABASE_URL ?? localDatabaseUrl('leguas_franzinas'));
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
try {
  const personal = await loadPersonalData(db, await loadKeyring(config, (line) => console.error(line)));
  const found = await findChatWorkflow(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), personal, chatId);
  if (found === null) {
    console.error('No chat workflow for that phone');
    process.exitCode = 1;
  } else {
    console.log(JSON.stringify({ workflow_id: found.workflowId, status: found.status }, null, 2));
  }
} finally {
  await connection.close();
  await db.end();
}
