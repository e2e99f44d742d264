-- Up Migration

-- A data key per data subject (a registration, a chat), wrapped by a master key (MASTER_KEYS). The
-- subject's files and personal fields are encrypted with it; an erasure deletes the row, which leaves
-- every copy unreadable, backups included. `subject` is a keyed hash of the subject's name (a chat's
-- holds its phone); the system's own index key is the one row named in plain ('system:blind-index').
CREATE TABLE data_keys (
  id text PRIMARY KEY,
  subject text NOT NULL UNIQUE,
  master_key_id text NOT NULL,
  wrapped bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A registration's personal fields are sealed with its data key (text `lf1:…`); lookups by NIF or
-- phone go through their keyed hashes. Rows written before are sealed by the first start after this
-- migration (sealPlainRegistrations, platform/stores/registrations.ts); until then their index columns are empty.
ALTER TABLE registrations ALTER COLUMN nif TYPE text;
ALTER TABLE registrations
  ADD COLUMN data_key_id text REFERENCES data_keys (id) ON DELETE SET NULL,
  ADD COLUMN nif_index text,
  ADD COLUMN phone_index text;
DROP INDEX registrations_one_live_per_nif;
CREATE UNIQUE INDEX registrations_one_live_per_nif ON registrations (nif_index) WHERE status NOT IN ('rejected', 'erased');
CREATE INDEX registrations_by_phone ON registrations (phone_index);

-- Down Migration

DROP INDEX registrations_by_phone;
DROP INDEX registrations_one_live_per_nif;
ALTER TABLE registrations DROP COLUMN data_key_id, DROP COLUMN nif_index, DROP COLUMN phone_index;
CREATE UNIQUE INDEX registrations_one_live_per_nif ON registrations (nif) WHERE status NOT IN ('rejected', 'erased');
DROP TABLE data_keys;
