/**
 * Test helpers for dissectors: hex vectors in, decoded packet context out.
 *
 * @module
 */

import { DissectionEngine, type EngineOptions, type FrameMeta } from "./engine.ts";
import { DissectorRegistry } from "./registry.ts";
import { BUILTIN_DISSECTORS } from "./builtin.ts";
import type { Dissector } from "./api.ts";
import type { Packet } from "./packet.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { dissectFile } from "./dissect_file.ts";

/** Bytes from hex text; whitespace, newlines and `#` comments to the end of a line are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/#[^\n]*/g, "").replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new Error(`Cannot parse hex vector: ${clean}`);
  }
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** A fresh engine over the built-ins (plus `extra` dissectors that are not built in already). */
export function testEngine(extra: Dissector[] = [], options: EngineOptions = {}): DissectionEngine {
  const added = extra.filter((dissector) => !BUILTIN_DISSECTORS.includes(dissector));
  return new DissectionEngine(new DissectorRegistry([...BUILTIN_DISSECTORS, ...added]), options);
}

/**
 * Engine options of the fuzz harnesses: they feed one segment, damaged in many ways, with the same
 * TCP sequence number, and every copy must reach the dissectors.
 */
export const FUZZ_ENGINE: EngineOptions = { decodeRetransmissions: true };

/** Dissects one frame with a fresh engine; returns the context and the engine (for its flush). */
export function decode(
  frame: Uint8Array | string,
  meta: FrameMeta = {},
): { packet: Packet; engine: DissectionEngine } {
  const engine = testEngine();
  const bytes = typeof frame === "string" ? hex(frame) : frame;
  return { packet: engine.dissectFrame(bytes, meta), engine };
}

/**
 * Dissects a whole capture file in this process (built-ins plus `extra`) and returns the flush
 * record: the in-process reference the sandboxed path and the tshark cross-checks compare against.
 */
export async function flushOfCapture(path: string, extra: Dissector[] = []): Promise<FlushRecord> {
  const [record] = await dissectFile(path, { engine: testEngine(extra) });
  return record;
}

/** Events of a flush as sorted text with their counts (`type src>dst {fields} ×count`): equal flushes, equal lists. */
export function eventCounts(record: FlushRecord): string[] {
  return record.events.map((e) => `${e.type} ${e.src_ip}>${e.dst_ip} ${JSON.stringify(e.fields)} ×${e.count}`)
    .sort();
}
