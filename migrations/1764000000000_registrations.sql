-- Up Migration

CREATE TABLE registrations (
  id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('received', 'pending_approval', 'correction_requested', 'approved', 'rejected')),
  full_name text NOT NULL,
  nif char(9) NOT NULL,
  phone text NOT NULL,
  email text NOT NULL,
  address text NOT NULL,
  postal_code text NOT NULL,
  city text NOT NULL,
  -- Hash of the normalised fields and document hashes: an identical re-submission (Typebot retries) is recognised by it.
  submission_fingerprint text NOT NULL,
  rejection_reason text,
  correction_items jsonb,
  correction_message text,
  decided_by text,
  decided_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One live registration per NIF; after a rejection the driver may register again.
CREATE UNIQUE INDEX registrations_one_live_per_nif ON registrations (nif) WHERE status <> 'rejected';
CREATE INDEX registrations_by_status ON registrations (status, created_at DESC);

CREATE TABLE registration_documents (
  id uuid PRIMARY KEY,
  registration_id uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('licence_front', 'licence_back', 'proof_of_address')),
  revision integer NOT NULL,
  status text NOT NULL CHECK (status IN ('received', 'stored', 'superseded')),
  received_key text,
  received_sha256 text NOT NULL,
  storage_key text,
  thumbnail_key text,
  mime text NOT NULL,
  size_bytes integer NOT NULL,
  width integer,
  height integer,
  sha256 text,
  created_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  UNIQUE (registration_id, kind, revision)
);

CREATE INDEX registration_documents_current ON registration_documents (registration_id, kind) WHERE status <> 'superseded';

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL,
  registration_id uuid,
  document_id uuid,
  remote_address text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_by_registration ON audit_log (registration_id, at);

-- Outbound WhatsApp messages, keyed by a business idempotency key, so a retried activity never sends twice.
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

-- Down Migration

DROP TABLE outbound_messages;
DROP TABLE audit_log;
DROP TABLE registration_documents;
DROP TABLE registrations;
