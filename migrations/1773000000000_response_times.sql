-- Up Migration

-- An agent's reply looks up its conversation's earlier replies and the driver's messages since
-- (platform/stores/response-times.ts): by conversation, not by a scan of every message.
CREATE INDEX whatsapp_deliveries_agent_by_conversation ON whatsapp_deliveries (chatwoot_conversation_id, sent_at) WHERE origin = 'agent';
CREATE INDEX bridge_messages_inbound_by_conversation ON bridge_messages (chatwoot_conversation_id, created_at) WHERE direction = 'inbound';

-- Down Migration

DROP INDEX bridge_messages_inbound_by_conversation;
DROP INDEX whatsapp_deliveries_agent_by_conversation;
