/**
 * The formats of `[export] export_format` (a module of its own, so that the uploader's module graph
 * holds no database type).
 *
 * @module
 */

/** JSON (an array, one row per line) or CSV (RFC 4180). */
export type ExportFormat = "json" | "csv";
