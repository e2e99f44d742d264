-- Up Migration

-- A driver's data erased on request leaves a tombstone: the registration's id, when it was made,
-- the decision it had reached (`status_before_erasure`, `decided_by`, `decided_at`) and when it was
-- erased. Every personal field is emptied; the NIF no longer holds a live registration.
ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check
  CHECK (status IN ('received', 'pending_approval', 'correction_requested', 'approved', 'rejected', 'erased'));
ALTER TABLE registrations ADD COLUMN erased_at timestamptz, ADD COLUMN status_before_erasure text;
DROP INDEX registrations_one_live_per_nif;
CREATE UNIQUE INDEX registrations_one_live_per_nif ON registrations (nif) WHERE status NOT IN ('rejected', 'erased');

-- Down Migration

DROP INDEX registrations_one_live_per_nif;
CREATE UNIQUE INDEX registrations_one_live_per_nif ON registrations (nif) WHERE status <> 'rejected';
ALTER TABLE registrations DROP COLUMN erased_at, DROP COLUMN status_before_erasure;
ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check
  CHECK (status IN ('received', 'pending_approval', 'correction_requested', 'approved', 'rejected'));
