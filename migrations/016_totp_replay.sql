-- 016 TOTP replay: the last time step (RFC 6238 §4, 30 s) whose code a user signed in or enabled the second
-- factor with. RFC 6238 §5.2: a code accepted once is not accepted again, so a code seen over a shoulder or
-- in a log cannot be replayed within its window.
ALTER TABLE users ADD COLUMN totp_last_step bigint;
