-- 010 accounts: what the web appliance needs on top of 003's users, sessions and audit_log
-- (storage/accounts/): TOTP second factor, session idle/absolute expiry, API tokens, before/after
-- of every change, and the user's own fields of a device (type override).
--
-- - users.password_hash holds an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash): the
--   parameters travel with the hash, so raising them later does not lock anyone out.
-- - users.totp_secret is the base32 TOTP secret; totp_enabled only once the user proved a code.
-- - sessions.expires_at (003) is the absolute expiry; idle_expires_at moves with each request.
-- - api_tokens keep a SHA-256 of the token, never the token (shown once, at creation).
-- - devices.device_type stays the detected type (recomputed by storage/identification.ts);
--   device_type_override is the user's, and wins where the API shows a type.

ALTER TABLE users
  ADD COLUMN totp_secret       varchar(64),
  ADD COLUMN totp_enabled      boolean NOT NULL DEFAULT false,
  ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_at        timestamptz NOT NULL DEFAULT now();

ALTER TABLE sessions
  ADD COLUMN idle_expires_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         varchar(64) NOT NULL,
  token_sha256 bytea NOT NULL UNIQUE,
  scope        varchar(8) NOT NULL CHECK (scope IN ('read', 'write')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  last_used_ip inet
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

ALTER TABLE audit_log
  ADD COLUMN before jsonb,
  ADD COLUMN after  jsonb;
CREATE INDEX audit_log_action ON audit_log (action, time);

ALTER TABLE devices
  ADD COLUMN device_type_override varchar(50);
CREATE INDEX devices_last_seen ON devices (last_seen);
