-- Up Migration

-- When each erased driver's chat was erased, by the chat's keyed hash (never the phone): a history
-- import of that chat later (the driver writes again, or an operator's backfill) takes only what
-- WhatsApp stamped after it, so an erasure is not undone by importing the phone's older messages
-- into Chatwoot again. Kept, as the decision to erase is: it names no one.
CREATE TABLE chat_erasures (
  chat_id text PRIMARY KEY,
  erased_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE chat_erasures;
