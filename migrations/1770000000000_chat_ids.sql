-- Up Migration

-- A chat's WhatsApp id (`351…@c.us`) holds the driver's phone, and so do WhatsApp's message ids and
-- the keys built from them. Where they are only compared, the bridge's and the bot's tables keep
-- their keyed hashes (HMAC under the system's index key) in the same columns; where they are read
-- back, they are also kept sealed with the chat's (or the registration's) data key:
--   whatsapp_deliveries: delivery_key, chat_id, whatsapp_message_id hashed; the message id and the
--     error (WPPConnect's may quote the number) sealed;
--   bridge_messages: chat_id, whatsapp_message_id hashed;
--   bot_sessions: chat_id hashed, the chat id sealed (chat_sealed, with its data key);
--   bot_turns: turn_key hashed, chat_id (hashed) added so an erasure finds a chat's turns;
--   registrations: whatsapp_chat_id sealed with the registration's key, whatsapp_chat_index hashed.
-- Rows written before are converted by the first start after this migration
-- (hashChatIds, platform/stores/chat-ids.ts).
ALTER TABLE whatsapp_deliveries ADD COLUMN whatsapp_message_sealed text;
ALTER TABLE bot_sessions ADD COLUMN chat_sealed text, ADD COLUMN data_key_id text REFERENCES data_keys (id) ON DELETE SET NULL;
ALTER TABLE bot_turns ADD COLUMN chat_id text;
CREATE INDEX bot_turns_by_chat ON bot_turns (chat_id);
ALTER TABLE registrations ADD COLUMN whatsapp_chat_index text;
CREATE INDEX registrations_by_chat ON registrations (whatsapp_chat_index);

-- Down Migration

DROP INDEX registrations_by_chat;
ALTER TABLE registrations DROP COLUMN whatsapp_chat_index;
DROP INDEX bot_turns_by_chat;
ALTER TABLE bot_turns DROP COLUMN chat_id;
ALTER TABLE bot_sessions DROP COLUMN chat_sealed, DROP COLUMN data_key_id;
ALTER TABLE whatsapp_deliveries DROP COLUMN whatsapp_message_sealed;
