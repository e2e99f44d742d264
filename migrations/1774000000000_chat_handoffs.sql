-- Up Migration

-- What Chatwoot's webhook brings (agents' replies, and what agents do around the bot), kept before
-- the webhook is answered: Chatwoot gives up at 5 s and never redelivers, so nothing may wait on
-- Temporal there. Each row goes to its chat's workflow (api/hand-offs/agent-inbox.ts), then is
-- deleted. A chat is named by its keyed hash; the chat's WhatsApp id and the event (an agent's text)
-- are sealed with the chat's data key, so an erasure leaves a row nobody can open.
CREATE TABLE chat_handoffs (
  id bigserial PRIMARY KEY,
  -- The bridge's task queue: every instance of one bridge takes its rows, another's never.
  queue text NOT NULL,
  -- Keyed hash of the event's business id: a delivery Chatwoot doubles is one row.
  event_key text NOT NULL,
  chat_id text NOT NULL,
  data_key_id text NOT NULL,
  sealed text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  -- When it may be tried (again): a process handing it off holds it until then.
  due_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (queue, event_key)
);
CREATE INDEX chat_handoffs_by_chat ON chat_handoffs (queue, chat_id, id);
CREATE INDEX chat_handoffs_due ON chat_handoffs (queue, due_at, id);

-- Down Migration

DROP TABLE chat_handoffs;
