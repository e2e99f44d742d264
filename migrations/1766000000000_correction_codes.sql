-- Up Migration

-- A correction is accepted only from the registration's own chat or with the code the correction
-- request sent the driver on WhatsApp. Only the code's SHA-256 is kept, with its expiry; it is
-- cleared once used (single use) and whenever a new code replaces it. The code itself is kept only
-- while the message carrying it is not known to have gone (`correction_code_unsent`): a retry of that
-- message sends the same code, so WhatsApp's copy is found and not sent twice.
ALTER TABLE registrations
  ADD COLUMN correction_code_sha256 text,
  ADD COLUMN correction_code_expires_at timestamptz,
  ADD COLUMN correction_code_unsent text;

-- Down Migration

ALTER TABLE registrations
  DROP COLUMN correction_code_sha256,
  DROP COLUMN correction_code_expires_at,
  DROP COLUMN correction_code_unsent;
