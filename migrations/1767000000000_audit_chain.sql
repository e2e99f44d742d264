-- Up Migration

-- The audit log is append-only and tamper-evident. Each row carries the hash of the row before it in
-- the chain and its own hash over that and its fields (audit_log_row_hash, the one definition the
-- trigger and `npm run audit:verify` share); the chain's head is one row, locked while a row is added,
-- so concurrent writers extend it one at a time. UPDATE, DELETE and TRUNCATE are refused for every
-- role (a superuser who disables the triggers leaves a chain that no longer verifies).
ALTER TABLE audit_log ADD COLUMN prev_hash text, ADD COLUMN row_hash text;

CREATE FUNCTION audit_log_row_hash(entry audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    entry.prev_hash, entry.id::text, (extract(epoch FROM entry.at) * 1000000)::bigint::text, entry.actor, entry.action, entry.outcome,
    coalesce(entry.registration_id::text, ''), coalesce(entry.document_id::text, ''), coalesce(entry.remote_address, ''), entry.details::text
  ), 'UTF8')), 'hex')
$$;

CREATE TABLE audit_chain_head (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  row_hash text NOT NULL
);

-- The rows already there, chained in id order.
DO $$
DECLARE
  entry audit_log;
  previous text := '';
BEGIN
  FOR entry IN SELECT * FROM audit_log ORDER BY id LOOP
    entry.prev_hash := previous;
    previous := audit_log_row_hash(entry);
    UPDATE audit_log SET prev_hash = entry.prev_hash, row_hash = previous WHERE id = entry.id;
  END LOOP;
  INSERT INTO audit_chain_head (row_hash) VALUES (previous);
END $$;

ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN row_hash SET NOT NULL;
CREATE UNIQUE INDEX audit_log_one_successor ON audit_log (prev_hash);

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT row_hash INTO NEW.prev_hash FROM audit_chain_head FOR UPDATE;
  NEW.row_hash := audit_log_row_hash(NEW);
  UPDATE audit_chain_head SET row_hash = NEW.row_hash;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_chain_head_no_change BEFORE DELETE OR TRUNCATE ON audit_chain_head FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Down Migration

DROP TRIGGER audit_chain_head_no_change ON audit_chain_head;
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_no_change ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TRIGGER audit_log_chain ON audit_log;
DROP FUNCTION audit_log_chain();
DROP INDEX audit_log_one_successor;
DROP TABLE audit_chain_head;
DROP FUNCTION audit_log_row_hash(audit_log);
ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN row_hash;
