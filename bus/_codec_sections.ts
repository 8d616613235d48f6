/**
 * The array sections of an observation batch payload (version 1) and how they map to a
 * {@linkcode FlushRecord}. Private to the codec.
 *
 * @module
 */

import { flushArrays, type FlushRecord } from "../model/flush_record.ts";
import { FLOW_KEY_WORDS } from "../model/flow_key.ts";
import { BUCKET_STRIDE } from "../model/flush_record.ts";
import { SIGHTING_KEY_WORDS } from "../model/flush_record.ts";

/** True on a little-endian host (arrays are copied as they are). */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed array of a section. */
export type NumberArray = Uint8Array | Int16Array | Uint32Array | Float64Array;
/** Element type of a section. */
export type ArrayKind = "u8" | "i16" | "u32" | "f64";
/** Bytes per element of each kind. */
export const ELEMENT_BYTES: Record<ArrayKind, number> = { u8: 1, i16: 2, u32: 4, f64: 8 };

/** One array section: its name, element type, what counts its rows, and elements per row. */
export interface Section {
  name: string;
  kind: ArrayKind;
  rows: "flows" | "sightings" | "buckets";
  stride: number;
}

/** The array sections of version 1, in payload order (see {@linkcode sectionArrays}). */
export const SECTIONS: readonly Section[] = [
  { name: "flows.keys", kind: "u32", rows: "flows", stride: FLOW_KEY_WORDS },
  { name: "flows.firstUs", kind: "f64", rows: "flows", stride: 1 },
  { name: "flows.lastUs", kind: "f64", rows: "flows", stride: 1 },
  { name: "flows.packets", kind: "f64", rows: "flows", stride: 1 },
  { name: "flows.bytes", kind: "f64", rows: "flows", stride: 1 },
  { name: "flows.tcpFlags", kind: "u8", rows: "flows", stride: 1 },
  { name: "flows.syn", kind: "u32", rows: "flows", stride: 1 },
  { name: "flows.rst", kind: "u32", rows: "flows", stride: 1 },
  { name: "flows.fin", kind: "u32", rows: "flows", stride: 1 },
  { name: "flows.app", kind: "i16", rows: "flows", stride: 1 },
  { name: "buckets", kind: "f64", rows: "buckets", stride: BUCKET_STRIDE },
  { name: "sightings.keys", kind: "u32", rows: "sightings", stride: SIGHTING_KEY_WORDS },
  { name: "sightings.firstUs", kind: "f64", rows: "sightings", stride: 1 },
  { name: "sightings.lastUs", kind: "f64", rows: "sightings", stride: 1 },
  { name: "sightings.seen", kind: "u32", rows: "sightings", stride: 1 },
];

/** The arrays of a record in the order of {@linkcode SECTIONS} (the order of `flushArrays`). */
export function sectionArrays(record: FlushRecord): NumberArray[] {
  return flushArrays(record);
}

/** A typed array of `kind` over `buffer`. */
export function typedArray(kind: ArrayKind, buffer: ArrayBuffer): NumberArray {
  switch (kind) {
    case "u8":
      return new Uint8Array(buffer);
    case "i16":
      return new Int16Array(buffer);
    case "u32":
      return new Uint32Array(buffer);
    case "f64":
      return new Float64Array(buffer);
  }
}

/** Swaps the bytes of each element in place (only on a big-endian host). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let at = 0; at + size <= bytes.length; at += size) bytes.subarray(at, at + size).reverse();
}

/** The bytes of a typed array, without copying. */
export function bytesOf(array: NumberArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Rebuilds a record from its counts, JSON parts and decoded arrays (in section order). */
export function recordFromArrays(
  header: Pick<FlushRecord, "dissectorNames" | "identities" | "events" | "stats"> & {
    flowCount: number;
    sightingCount: number;
  },
  arrays: NumberArray[],
): FlushRecord {
  const [keys, firstUs, lastUs, packets, bytesColumn, tcpFlags, syn, rst, fin, app, buckets] = arrays;
  const [sightingKeys, sightingFirstUs, sightingLastUs, seen] = arrays.slice(11);
  return {
    dissectorNames: header.dissectorNames,
    flows: {
      count: header.flowCount,
      keys: keys as Uint32Array,
      firstUs: firstUs as Float64Array,
      lastUs: lastUs as Float64Array,
      packets: packets as Float64Array,
      bytes: bytesColumn as Float64Array,
      tcpFlags: tcpFlags as Uint8Array,
      syn: syn as Uint32Array,
      rst: rst as Uint32Array,
      fin: fin as Uint32Array,
      app: app as Int16Array,
    },
    buckets: buckets as Float64Array,
    sightings: {
      count: header.sightingCount,
      keys: sightingKeys as Uint32Array,
      firstUs: sightingFirstUs as Float64Array,
      lastUs: sightingLastUs as Float64Array,
      seen: seen as Uint32Array,
    },
    identities: header.identities,
    events: header.events,
    stats: header.stats,
  };
}
