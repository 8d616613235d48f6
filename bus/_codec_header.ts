/**
 * The JSON header of an observation batch payload: identity numbers, counts and the JSON-able
 * parts of the flush record. Private to the codec.
 *
 * Numbers that JSON cannot carry (±Infinity, NaN: the engine's first/last packet time before any
 * packet) travel as `{"$number": "Infinity"}`.
 *
 * @module
 */

import type { FlushRecord } from "../model/flush_record.ts";

/** The JSON part of a payload. */
export interface Header {
  sensor: string;
  boot: string;
  seq: number;
  flowCount: number;
  sightingCount: number;
  dissectorNames: FlushRecord["dissectorNames"];
  identities: FlushRecord["identities"];
  events: FlushRecord["events"];
  stats: FlushRecord["stats"];
}

/** A payload that is not a whole observation batch of a version this build reads. */
export class BatchDecodeError extends Error {
  /** @param detail what is wrong, after "Cannot decode observation batch: " */
  constructor(detail: string) {
    super(`Cannot decode observation batch: ${detail}`);
    this.name = "BatchDecodeError";
  }
}

function replaceNonFinite(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? { $number: String(value) } : value;
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && "$number" in value && Object.keys(value).length === 1) {
    return Number((value as { $number: string }).$number);
  }
  return value;
}

/** The header as UTF-8 JSON. */
export function encodeHeader(header: Header): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(header, replaceNonFinite));
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses and checks a header.
 *
 * @throws {BatchDecodeError} when it is not JSON or a field is missing or of the wrong type
 */
export function decodeHeader(json: Uint8Array): Header {
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json), reviveNonFinite);
  } catch (error) {
    throw new BatchDecodeError(`the JSON header is damaged: ${(error as Error).message}`);
  }
  if (header === null || typeof header !== "object") {
    throw new BatchDecodeError("the JSON header is not an object");
  }
  if (typeof header.sensor !== "string" || header.sensor.length === 0) {
    throw new BatchDecodeError(`sensor is ${JSON.stringify(header.sensor)}, expected a non-empty string`);
  }
  if (typeof header.boot !== "string") {
    throw new BatchDecodeError(`boot is ${JSON.stringify(header.boot)}, expected a string`);
  }
  for (const key of ["seq", "flowCount", "sightingCount"] as const) {
    if (!isCount(header[key])) {
      throw new BatchDecodeError(`${key} is ${JSON.stringify(header[key])}, expected a whole number ≥ 0`);
    }
  }
  for (const key of ["dissectorNames", "identities", "events"] as const) {
    if (!Array.isArray(header[key])) throw new BatchDecodeError(`${key} is not an array`);
  }
  if (header.stats === null || typeof header.stats !== "object") {
    throw new BatchDecodeError("stats is not an object");
  }
  return header;
}
