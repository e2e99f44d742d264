-- Up Migration

-- Every message the bridge relays, both ways: the WhatsApp id <-> Chatwoot id mapping, per part
-- (a WhatsApp message with a caption and a refused file becomes two Chatwoot parts). A row is
-- claimed ('pending') before the side effect and completed ('done') after, so a retry that finds
-- a pending claim checks the other side before acting again.
CREATE TABLE bridge_messages (
  id bigserial PRIMARY KEY,
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  chat_id text NOT NULL,
  whatsapp_message_id text,
  chatwoot_message_id bigint,
  chatwoot_conversation_id bigint,
  part integer NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  media_key text,
  media_sha256 text,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Keyed within the chat: a message belongs to exactly one chat, and ids from another Chatwoot
-- installation (or account) sharing this database can never make a message look already relayed.
CREATE UNIQUE INDEX bridge_inbound_once ON bridge_messages (chat_id, whatsapp_message_id, part) WHERE direction = 'inbound';
CREATE UNIQUE INDEX bridge_outbound_once ON bridge_messages (chat_id, chatwoot_message_id, part) WHERE direction = 'outbound';
CREATE INDEX bridge_messages_by_whatsapp_id ON bridge_messages (whatsapp_message_id);
CREATE INDEX bridge_messages_by_chat ON bridge_messages (chat_id, created_at DESC);

-- Down Migration

DROP TABLE bridge_messages;
