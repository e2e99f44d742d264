/**
 * Rows the bridge and the bot wrote before chats' WhatsApp ids were kept as keyed hashes (migration
 * 1770000000000_chat_ids): converted at start, once (a converted row holds no `@`). A delivery's
 * message id and refusal are sealed with the chat's key; the bot's kept turns from before, plain
 * Typebot answers only a turn being retried at that moment could need, are dropped.
 */
import { dataKeyIdOf, sealField, type PersonalData } from '../crypto/personal-data.ts';
import type { Db } from '../db.ts';
import { sessionBinding } from './bot.ts';
import { chatKey as chatKeyOf } from './data-keys.ts';
import { sealedBinding } from './deliveries.ts';

export interface ChatIdConversion {
  deliveries: number;
  relays: number;
  sessions: number;
  turnsDropped: number;
}

export async function hashChatIds(db: Db, personal: PersonalData): Promise<ChatIdConversion> {
  const chatKey = (chatId: string) => chatKeyOf(db, personal, chatId);
  const report: ChatIdConversion = { deliveries: 0, relays: 0, sessions: 0, turnsDropped: 0 };

  const deliveries = await db.query<{ delivery_key: string; chat_id: string; whatsapp_message_id: string | null; error: string | null }>(
    "SELECT delivery_key, chat_id, whatsapp_message_id, error FROM whatsapp_deliveries WHERE chat_id LIKE '%@%'",
  );
  for (const row of deliveries.rows) {
    const key = await chatKey(row.chat_id);
    const seal = (column: 'whatsapp_message' | 'error', value: string | null) => (value === null ? null : sealField(key, sealedBinding(column, row.delivery_key), value));
    report.deliveries += (await db.query(
      `UPDATE whatsapp_deliveries SET delivery_key = $2, chat_id = $3, whatsapp_message_id = $4, whatsapp_message_sealed = $5, error = $6
       WHERE delivery_key = $1 AND chat_id LIKE '%@%'`,
      [row.delivery_key, personal.index('delivery', row.delivery_key), personal.index('chat', row.chat_id),
        row.whatsapp_message_id === null ? null : personal.index('message', row.whatsapp_message_id), seal('whatsapp_message', row.whatsapp_message_id), seal('error', row.error)],
    )).rowCount ?? 0;
  }

  const relays = await db.query<{ id: string; chat_id: string; whatsapp_message_id: string | null }>(
    "SELECT id, chat_id, whatsapp_message_id FROM bridge_messages WHERE chat_id LIKE '%@%'",
  );
  for (const row of relays.rows) {
    report.relays += (await db.query(
      "UPDATE bridge_messages SET chat_id = $2, whatsapp_message_id = $3 WHERE id = $1 AND chat_id LIKE '%@%'",
      [row.id, personal.index('chat', row.chat_id), row.whatsapp_message_id === null ? null : personal.index('message', row.whatsapp_message_id)],
    )).rowCount ?? 0;
  }

  const sessions = await db.query<{ link_token: string; chat_id: string }>("SELECT link_token, chat_id FROM bot_sessions WHERE chat_sealed IS NULL AND chat_id LIKE '%@%'");
  for (const row of sessions.rows) {
    const key = await chatKey(row.chat_id);
    report.sessions += (await db.query(
      'UPDATE bot_sessions SET chat_id = $2, chat_sealed = $3, data_key_id = $4 WHERE link_token = $1 AND chat_sealed IS NULL',
      [row.link_token, personal.index('chat', row.chat_id), sealField(key, sessionBinding(row.link_token), row.chat_id), dataKeyIdOf(key.id)],
    )).rowCount ?? 0;
  }

  report.turnsDropped = (await db.query('DELETE FROM bot_turns WHERE chat_id IS NULL')).rowCount ?? 0;
  return report;
}
