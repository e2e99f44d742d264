-- Up Migration

-- An agent's reply looks up its chat's earlier replies in the same conversation
-- (platform/stores/response-times.ts): by chat, not by a scan of every delivery. The driver's
-- messages since are found through bridge_messages_by_chat.
CREATE INDEX whatsapp_deliveries_agent_by_chat ON whatsapp_deliveries (chat_id, sent_at) WHERE origin = 'agent';

-- Down Migration

DROP INDEX whatsapp_deliveries_agent_by_chat;
