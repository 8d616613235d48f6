/**
 * NetSentinel's version, as printed by `--version` and written into every document.
 *
 * @module
 */

/** Semantic version of this build. */
export const VERSION = "0.1.0";
