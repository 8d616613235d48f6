/**
 * The one error of account operations, with a kind the API maps to a status.
 *
 * @module
 */

/** What went wrong: `not-found` (404), `conflict` (409), `invalid` (400). */
export type AccountErrorKind = "not-found" | "conflict" | "invalid";

/** An account operation refused, with a one-line message and the field at fault. */
export class AccountError extends Error {
  override name = "AccountError";
  readonly kind: AccountErrorKind;
  readonly field?: string;

  constructor(kind: AccountErrorKind, message: string, field?: string) {
    super(message);
    this.kind = kind;
    this.field = field;
  }
}
