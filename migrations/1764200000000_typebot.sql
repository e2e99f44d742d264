-- Up Migration

-- A Typebot session started by a chat's workflow. The token is what the bot's flow posts back with
-- the registration (`sessao_conversa`), so the intake can link the registration to its WhatsApp
-- chat and Chatwoot conversation; it is random, so nobody can link a registration to someone
-- else's chat by guessing.
CREATE TABLE bot_sessions (
  link_token text PRIMARY KEY,
  chat_id text NOT NULL,
  chatwoot_conversation_id bigint,
  typebot_session_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_sessions_by_chat ON bot_sessions (chat_id, created_at DESC);

-- Typebot's answer to each turn, kept before anything is sent: continueChat is not idempotent, so
-- a retried turn must reuse the answer instead of asking Typebot again.
CREATE TABLE bot_turns (
  turn_key text PRIMARY KEY,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every message the bot sends, per part: claimed before the send, completed after, so a retry never
-- sends a part twice to WhatsApp or mirrors it twice into Chatwoot.
CREATE TABLE bot_messages (
  message_key text PRIMARY KEY,
  chat_id text NOT NULL,
  whatsapp_status text NOT NULL DEFAULT 'pending' CHECK (whatsapp_status IN ('pending', 'sent')),
  whatsapp_message_id text,
  chatwoot_message_id bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bot_messages_by_whatsapp_id ON bot_messages (whatsapp_message_id);

-- A registration that came from a bot session knows its chat: the decision goes there, and the
-- Chatwoot conversation gets the notes and labels.
ALTER TABLE registrations ADD COLUMN whatsapp_chat_id text, ADD COLUMN chatwoot_conversation_id bigint;

-- Down Migration

ALTER TABLE registrations DROP COLUMN whatsapp_chat_id, DROP COLUMN chatwoot_conversation_id;
DROP TABLE bot_messages;
DROP TABLE bot_turns;
DROP TABLE bot_sessions;
