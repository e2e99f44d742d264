import { readdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runner } from 'node-pg-migrate';
import { sendToWhatsAppOnce } from '../../activities/delivery/whatsapp-once.ts';
import { createWppConnectClient, type WppConnectClient } from '../../integrations/wppconnect/client.ts';
import { createDb, type Db } from '../../platform/db.ts';
import { migrate } from '../../platform/migrate.ts';
import { keyringOf } from '../../platform/crypto/keyring.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import { hashChatIds } from '../../platform/stores/chat-ids.ts';
import { loadPersonalData } from '../../platform/stores/data-keys.ts';
import { deliveryOfMessage } from '../../platform/stores/deliveries.ts';
import { startWppConnectSimulator, type WppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { newDriverPhone } from '../support/bridge-views.ts';
import { migrationsDir, ownDatabase } from '../support/own-database.ts';

/** The migrations before whatsapp_deliveries. */
const before1765 = 3;

/**
 * A deploy of the one-delivery-table version over a database the previous version wrote: sends in
 * flight in the three old tables must be sent once, not lost or doubled, by the new code.
 */
describe('the whatsapp_deliveries migration over what the previous version left', () => {
  const database = ownDatabase('leguas_migration');
  let db: Db;
  let wpp: WppConnectSimulator;
  let wppconnect: WppConnectClient;
  const phone = newDriverPhone();
  const chatId = `${phone}@c.us`;
  const registrationId = randomUUID();
  const ids = { notice: '', botPart: '', agentReply: '' };
  /** The system's keys for this database, made by its first start (the second test). */
  let personal: PersonalData;

  /** A database as the previous version left it (sends in flight in the three old tables), migrated up to now. */
  async function previousVersionMigrated(url: string, into: Db): Promise<void> {
    await runner({ databaseUrl: url, dir: migrationsDir, direction: 'up', count: before1765, migrationsTable: 'pgmigrations', log: () => undefined });
    // What WhatsApp already has: a decision sent and recorded, a bot question sent but never
    // recorded (the worker died), an agent's reply sent and recorded.
    ids.notice = (await wppconnect.sendText({ phone, message: 'O seu registo foi aprovado.' })).messageId;
    ids.botPart = (await wppconnect.sendText({ phone, message: 'Qual é o seu NIF?' })).messageId;
    ids.agentReply = (await wppconnect.sendText({ phone, message: 'Bom dia!' })).messageId;

    await into.query(
      `INSERT INTO outbound_messages (idempotency_key, registration_id, recipient, body_sha256, status, whatsapp_message_id, sent_at)
       VALUES ($1, $2, $3, 'x', 'sent', $4, now())`,
      [`registration:${registrationId}:round-1:approved`, registrationId, phone, ids.notice],
    );
    await into.query("INSERT INTO bot_messages (message_key, chat_id, whatsapp_status) VALUES ('answer:w1:0', $1, 'pending')", [chatId]);
    await into.query("INSERT INTO bot_messages (message_key, chat_id, whatsapp_status, chatwoot_message_id) VALUES ('answer:w1:note', $1, 'sent', 77)", [chatId]);
    await into.query(
      `INSERT INTO bridge_messages (direction, chat_id, chatwoot_message_id, chatwoot_conversation_id, part, status, whatsapp_message_id)
       VALUES ('outbound', $1, 501, 9, 0, 'done', $2), ('outbound', $1, 502, NULL, 0, 'pending', NULL)`,
      [chatId, ids.agentReply],
    );
    await into.query("INSERT INTO bridge_messages (direction, chat_id, whatsapp_message_id, part, status) VALUES ('inbound', $1, 'false_x_1', 0, 'done')", [chatId]);

    await migrate(url);
  }

  before(async () => {
    await database.create();
    db = createDb(database.url);
    wpp = await startWppConnectSimulator({ secretKey: `test-only-${randomUUID()}`, ackDelayMs: null });
    wppconnect = createWppConnectClient({ baseUrl: wpp.url, session: wpp.session, secretKey: wpp.secretKey });
    await previousVersionMigrated(database.url, db);
  });

  after(async () => {
    await db?.end();
    await wpp?.close();
    await database.drop();
  });

  it('carries every send of the three tables, under the keys the new code computes', async () => {
    const rows = await db.query<{ delivery_key: string; origin: string; chat_id: string; status: string; whatsapp_message_id: string | null }>(
      'SELECT delivery_key, origin, chat_id, status, whatsapp_message_id FROM whatsapp_deliveries ORDER BY delivery_key',
    );
    assert.deepEqual(rows.rows, [
      { delivery_key: `agent:${chatId}:501:0`, origin: 'agent', chat_id: chatId, status: 'sent', whatsapp_message_id: ids.agentReply },
      { delivery_key: `agent:${chatId}:502:0`, origin: 'agent', chat_id: chatId, status: 'sending', whatsapp_message_id: null },
      { delivery_key: 'bot:answer:w1:0', origin: 'bot', chat_id: chatId, status: 'sending', whatsapp_message_id: null },
      { delivery_key: `registration:${registrationId}:round-1:approved`, origin: 'registration', chat_id: chatId, status: 'sent', whatsapp_message_id: ids.notice },
    ]);
    const left = await db.query<{ direction: string }>('SELECT direction FROM bridge_messages');
    assert.deepEqual(left.rows, [{ direction: 'inbound' }], 'bridge_messages keeps only what went into Chatwoot');
    const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name IN ('outbound_messages', 'bot_messages')");
    assert.equal(tables.rowCount, 0);
  });

  it('sends what was in flight once: a recorded send is not repeated, an unrecorded one is found in the chat', async () => {
    // The first start after the migrations keys the chat ids the rows hold, as the system does.
    personal = await loadPersonalData(db, keyringOf([{ id: 'k1', key: randomBytes(32) }]));
    await hashChatIds(db, personal);
    const deps = { db, personal, wppconnect };
    const notice = await sendToWhatsAppOnce(deps, {
      key: `registration:${registrationId}:round-1:approved`, origin: 'registration', chatId, content: { kind: 'text', text: 'O seu registo foi aprovado.' },
    });
    assert.deepEqual(notice, { outcome: 'sent', whatsappMessageId: ids.notice, alreadySent: true, chatwoot: null });
    const question = await sendToWhatsAppOnce(deps, { key: 'bot:answer:w1:0', origin: 'bot', chatId, content: { kind: 'text', text: 'Qual é o seu NIF?' } });
    assert.deepEqual(question, { outcome: 'sent', whatsappMessageId: ids.botPart, alreadySent: true, chatwoot: null });
    assert.equal(wpp.sent.filter((message) => message.phone === phone).length, 3, 'nothing sent again');
  });

  it('fills in the Chatwoot message of a reply the previous version had not finished, so its receipts reach Chatwoot', async () => {
    const sent = await sendToWhatsAppOnce({ db, personal, wppconnect }, {
      key: `agent:${chatId}:502:0`, origin: 'agent', chatId, chatwoot: { conversationId: 9, messageId: 502 }, content: { kind: 'text', text: 'Já vi, obrigado.' },
    });
    assert.equal(sent.outcome, 'sent');
    const receiptsGoTo = await deliveryOfMessage(db, personal, sent.outcome === 'sent' ? sent.whatsappMessageId : '');
    assert.deepEqual(receiptsGoTo, { origin: 'agent', chatwoot: { conversationId: 9, messageId: 502 } });
  });

  // On a database of its own, migrated and rolled back before any start: a start keys the chat ids
  // (migration 1770000000000_chat_ids), which no rollback can turn back into the plain ids.
  it('rolls back into the three tables', async () => {
    const other = ownDatabase('leguas_migration_down');
    await other.create();
    const otherDb = createDb(other.url);
    try {
      await previousVersionMigrated(other.url, otherDb);
      const since1765 = readdirSync(migrationsDir).filter((file) => file.endsWith('.sql')).length - before1765;
      await runner({ databaseUrl: other.url, dir: migrationsDir, direction: 'down', count: since1765, migrationsTable: 'pgmigrations', log: () => undefined });
      const outbound = await otherDb.query<{ idempotency_key: string; status: string }>('SELECT idempotency_key, status FROM outbound_messages');
      assert.deepEqual(outbound.rows, [{ idempotency_key: `registration:${registrationId}:round-1:approved`, status: 'sent' }]);
      const bot = await otherDb.query<{ message_key: string; whatsapp_status: string }>('SELECT message_key, whatsapp_status FROM bot_messages');
      assert.deepEqual(bot.rows, [{ message_key: 'answer:w1:0', whatsapp_status: 'pending' }]);
      const relays = await otherDb.query<{ chatwoot_message_id: string; status: string }>(
        "SELECT chatwoot_message_id, status FROM bridge_messages WHERE direction = 'outbound' ORDER BY chatwoot_message_id",
      );
      assert.deepEqual(relays.rows, [{ chatwoot_message_id: '501', status: 'done' }, { chatwoot_message_id: '502', status: 'pending' }]);
    } finally {
      await otherDb.end();
      await other.drop();
    }
  });
});
