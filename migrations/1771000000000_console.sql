-- Up Migration

-- The reviewer console's accounts (npm run accounts): a name, a role and a scrypt hash of the
-- password (`scrypt$N$r$p$salt$hash`, platform/crypto/passwords.ts). A disabled account cannot sign
-- in, and its open sessions stop working at their next request.
CREATE TABLE console_accounts (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  role text NOT NULL CHECK (role IN ('reviewer', 'operator')),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- Console sessions, kept here so every API instance knows them. Keyed by a SHA-256 of the session
-- id: a copy of this table opens no session. `expires_at` moves with each request (idle expiry).
CREATE TABLE console_sessions (
  sid_sha256 text PRIMARY KEY,
  data jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);

-- A registration's fields as they were before each correction replaced them, so a reviewer sees the
-- revisions side by side. The values are the row's own ciphertexts, copied: they open with the
-- registration's data key and their column's binding, and die with that key on erasure.
CREATE TABLE registration_field_revisions (
  registration_id uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  revision integer NOT NULL,
  full_name text NOT NULL,
  nif text NOT NULL,
  phone text NOT NULL,
  email text NOT NULL,
  address text NOT NULL,
  postal_code text NOT NULL,
  city text NOT NULL,
  replaced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (registration_id, revision)
);

-- Down Migration

DROP TABLE registration_field_revisions;
DROP TABLE console_sessions;
DROP TABLE console_accounts;
