-- Up Migration

-- A worker of the previous version still running may claim a send while this runs: it waits here,
-- then fails on the dropped tables and is retried by the new version, instead of being lost between
-- the copy below and the drop.
LOCK TABLE outbound_messages, bot_messages, bridge_messages IN EXCLUSIVE MODE;

-- Every message the system sends to WhatsApp, whoever asked for it: a registration notice or reviewer
-- reminder, the bot, or an agent's reply relayed from Chatwoot. One table, so "did we send this?"
-- (delivery receipts, the company phone telling itself apart) has one answer. A delivery is claimed
-- ('sending') before the send and marked 'sent' (or 'failed', refused for good) after; a retry that
-- finds its claim still 'sending' looks in the chat for the message before sending again.
CREATE TABLE whatsapp_deliveries (
  -- From business ids: registration:<id>:round-<n>:<decision>, bot:<turn key>:<part>, agent:<chat>:<message>:<part>.
  delivery_key text PRIMARY KEY,
  origin text NOT NULL CHECK (origin IN ('registration', 'bot', 'agent')),
  chat_id text NOT NULL,
  registration_id uuid,
  status text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  whatsapp_message_id text,
  -- The Chatwoot message it is: an agent's reply it came from (whose status follows the WhatsApp
  -- receipts), or the bot's copy of it.
  chatwoot_conversation_id bigint,
  chatwoot_message_id bigint,
  error text,
  first_attempt_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX whatsapp_deliveries_by_message ON whatsapp_deliveries (whatsapp_message_id);

-- What the three earlier tables knew, so a send in flight during the deploy is still sent once.
INSERT INTO whatsapp_deliveries (delivery_key, origin, chat_id, registration_id, status, whatsapp_message_id, first_attempt_at, sent_at)
SELECT idempotency_key, 'registration', recipient || '@c.us', registration_id, status, whatsapp_message_id, first_attempt_at, sent_at
FROM outbound_messages;

INSERT INTO whatsapp_deliveries (delivery_key, origin, chat_id, status, whatsapp_message_id, chatwoot_message_id, first_attempt_at, sent_at)
SELECT 'bot:' || message_key, 'bot', chat_id, CASE whatsapp_status WHEN 'sent' THEN 'sent' ELSE 'sending' END,
  whatsapp_message_id, chatwoot_message_id, created_at, CASE WHEN whatsapp_status = 'sent' THEN created_at END
FROM bot_messages
WHERE message_key NOT LIKE '%:note';

INSERT INTO whatsapp_deliveries (delivery_key, origin, chat_id, status, whatsapp_message_id, chatwoot_conversation_id, chatwoot_message_id, error, first_attempt_at, sent_at)
SELECT 'agent:' || chat_id || ':' || chatwoot_message_id || ':' || part, 'agent', chat_id,
  CASE status WHEN 'done' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'sending' END,
  whatsapp_message_id, chatwoot_conversation_id, chatwoot_message_id, error, created_at, CASE WHEN status = 'done' THEN updated_at END
FROM bridge_messages
WHERE direction = 'outbound';

-- bridge_messages now holds only what goes from WhatsApp into Chatwoot.
DELETE FROM bridge_messages WHERE direction = 'outbound';
DROP INDEX bridge_outbound_once;
DROP TABLE outbound_messages;
DROP TABLE bot_messages;

-- Down Migration

CREATE TABLE outbound_messages (
  idempotency_key text PRIMARY KEY,
  registration_id uuid,
  recipient text NOT NULL,
  body_sha256 text NOT NULL,
  status text NOT NULL CHECK (status IN ('sending', 'sent')),
  whatsapp_message_id text,
  first_attempt_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
INSERT INTO outbound_messages (idempotency_key, registration_id, recipient, body_sha256, status, whatsapp_message_id, first_attempt_at, sent_at)
SELECT delivery_key, registration_id, split_part(chat_id, '@', 1), '', CASE status WHEN 'sent' THEN 'sent' ELSE 'sending' END,
  whatsapp_message_id, first_attempt_at, sent_at
FROM whatsapp_deliveries WHERE origin = 'registration';

CREATE TABLE bot_messages (
  message_key text PRIMARY KEY,
  chat_id text NOT NULL,
  whatsapp_status text NOT NULL DEFAULT 'pending' CHECK (whatsapp_status IN ('pending', 'sent')),
  whatsapp_message_id text,
  chatwoot_message_id bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_messages_by_whatsapp_id ON bot_messages (whatsapp_message_id);
INSERT INTO bot_messages (message_key, chat_id, whatsapp_status, whatsapp_message_id, chatwoot_message_id, created_at)
SELECT substr(delivery_key, 5), chat_id, CASE status WHEN 'sent' THEN 'sent' ELSE 'pending' END, whatsapp_message_id, chatwoot_message_id, first_attempt_at
FROM whatsapp_deliveries WHERE origin = 'bot';

CREATE UNIQUE INDEX bridge_outbound_once ON bridge_messages (chat_id, chatwoot_message_id, part) WHERE direction = 'outbound';
INSERT INTO bridge_messages (direction, chat_id, whatsapp_message_id, chatwoot_message_id, chatwoot_conversation_id, part, status, error, created_at, updated_at)
SELECT 'outbound', chat_id, whatsapp_message_id, chatwoot_message_id, chatwoot_conversation_id, split_part(delivery_key, ':', 4)::integer,
  CASE status WHEN 'sent' THEN 'done' WHEN 'failed' THEN 'failed' ELSE 'pending' END, error, first_attempt_at, coalesce(sent_at, first_attempt_at)
FROM whatsapp_deliveries WHERE origin = 'agent';

DROP TABLE whatsapp_deliveries;
