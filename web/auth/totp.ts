/**
 * TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock drift either way) through
 * the otpauth package.
 *
 * @module
 */

import * as OTPAuth from "otpauth";

function totpOf(secret: string, username = ""): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: "NetSentinel",
    label: username,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** A new random secret (160 bits), base32. */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app scans. */
export function totpUri(secret: string, username: string): string {
  return totpOf(secret, username).toString();
}

/** True when `code` is valid now for `secret` (±30 s). */
export function verifyTotp(secret: string, code: string): boolean {
  return totpStep(secret, code) !== null;
}

/**
 * The time step (RFC 6238 §4: seconds since 1970 / 30) whose code `code` is, within one step of now,
 * or null when it is none of them.
 */
export function totpStep(secret: string, code: string, time = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secret).validate({ token: code, window: 1, timestamp: time });
  return delta === null ? null : Math.floor(time / 30_000) + delta;
}

/** The code of `secret` at `time` (ms) (tests, and the CLI to show a current code). */
export function totpCode(secret: string, time = Date.now()): string {
  return totpOf(secret).generate({ timestamp: time });
}
