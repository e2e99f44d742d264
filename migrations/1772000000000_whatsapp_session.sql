-- Up Migration

-- The WhatsApp session's health as the bridge last saw it (one WPPConnect session per deployment):
-- its state, since when, whether WPPConnect's webhooks said the phone went offline (its status
-- route cannot tell), the QR last posted to the operations conversation, and when the outage began.
CREATE TABLE whatsapp_session_health (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  state text NOT NULL,
  since timestamptz NOT NULL DEFAULT now(),
  checked_at timestamptz NOT NULL DEFAULT now(),
  phone_offline boolean NOT NULL DEFAULT false,
  qr_sha256 text,
  down_since timestamptz
);

-- Down Migration

DROP TABLE whatsapp_session_health;
