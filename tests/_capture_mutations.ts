/**
 * Structure-aware damage to capture files, for the whole-command fuzz (`fuzz_files_test.ts`): it
 * walks the records of a real pcap or pcapng file and damages the fields a careless writer or an
 * attacker gets wrong — time stamps, captured/original/block lengths, interface ids, byte orders,
 * `if_tsresol`/`if_tsoffset`, the snapshot length — or flips bytes, or cuts the file.
 *
 * @module
 */

import type { Rng } from "../samples/rng.ts";

/** Where the damageable fields of a file are. */
interface FieldMap {
  /** Offsets of 32-bit time stamp words (pcap: seconds and fraction; pcapng: high and low). */
  times: number[];
  /** Offsets of 32-bit length words (captured, original, block length). */
  lengths: number[];
  /** Offsets of 32-bit pcapng interface ids. */
  interfaces: number[];
  /** Offsets of byte-order words (pcap magic, pcapng byte-order magic). */
  byteOrders: number[];
  /** Offsets of IDB option values (`if_tsresol`, `if_tsoffset`) and snapshot lengths. */
  options: number[];
  littleEndian: boolean;
}

function pcapFields(view: DataView): FieldMap {
  const le = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
  const map: FieldMap = {
    times: [],
    lengths: [],
    interfaces: [],
    byteOrders: [0],
    options: [16],
    littleEndian: le,
  };
  let at = 24;
  while (at + 16 <= view.byteLength) {
    map.times.push(at, at + 4);
    map.lengths.push(at + 8, at + 12);
    at += 16 + view.getUint32(at + 8, le);
  }
  return map;
}

function pcapngFields(view: DataView): FieldMap {
  const map: FieldMap = {
    times: [],
    lengths: [],
    interfaces: [],
    byteOrders: [],
    options: [],
    littleEndian: true,
  };
  let le = true;
  let at = 0;
  while (at + 12 <= view.byteLength) {
    const type = view.getUint32(at, le);
    if (type === 0x0a0d0d0a) {
      le = view.getUint32(at + 8, true) === 0x1a2b3c4d;
      map.byteOrders.push(at + 8);
    }
    const length = view.getUint32(at + 4, le);
    if (length < 12 || at + length > view.byteLength) break;
    map.lengths.push(at + 4, at + length - 4);
    if (type === 6 && length >= 32) {
      map.interfaces.push(at + 8);
      map.times.push(at + 12, at + 16);
      map.lengths.push(at + 20, at + 24);
    } else if (type === 1 && length >= 20) {
      map.options.push(at + 12);
      for (let o = at + 16; o + 4 <= at + length - 4;) {
        const code = view.getUint16(o, le);
        const size = view.getUint16(o + 2, le);
        if (code === 0) break;
        if (code === 9 || code === 14) map.options.push(o + 4);
        o += 4 + ((size + 3) & ~3);
      }
    }
    at += length;
  }
  return map;
}

/** The field map of a capture file (pcap or pcapng, by magic). */
function fieldsOf(bytes: Uint8Array): FieldMap {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(0, true) === 0x0a0d0d0a ? pcapngFields(view) : pcapFields(view);
}

/** 32-bit values that break arithmetic: extremes, sign bits, powers of two, a date's limits. */
const EXTREMES = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 65535, 65536, 262145, 0x5f5e100, 1e9];

/** What {@linkcode mutateCapture} did, for the failure message. */
export interface Mutation {
  bytes: Uint8Array;
  damage: string[];
}

/** One seeded mutation of `original`: one to three structural damages, sometimes a byte flip or a cut. */
export function mutateCapture(rng: Rng, original: Uint8Array): Mutation {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const map = fieldsOf(bytes);
  const damage: string[] = [];
  const pick = (offsets: number[]) => offsets[rng.int(0, offsets.length - 1)];
  const write = (what: string, offset: number | undefined, value: number) => {
    if (offset === undefined || offset + 4 > bytes.length) return;
    view.setUint32(offset, value >>> 0, map.littleEndian);
    damage.push(`${what}@${offset}=0x${(value >>> 0).toString(16)}`);
  };
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    const value = rng.int(0, 3) === 0 ? rng.int(0, 0xffffffff) : EXTREMES[rng.int(0, EXTREMES.length - 1)];
    switch (rng.int(0, 6)) {
      case 0:
        write("time", pick(map.times), value);
        break;
      case 1:
        write("length", pick(map.lengths), value);
        break;
      case 2:
        write("interface", pick(map.interfaces), rng.int(0, 1) === 0 ? rng.int(1, 4) : value);
        break;
      case 3: {
        const offset = pick(map.byteOrders);
        if (offset !== undefined) {
          bytes.subarray(offset, offset + 4).reverse();
          damage.push(`byte-order@${offset}`);
        }
        break;
      }
      case 4:
        write("option", pick(map.options), value);
        break;
      case 5: {
        const offset = rng.int(0, bytes.length - 1);
        bytes[offset] ^= 1 << rng.int(0, 7);
        damage.push(`flip@${offset}`);
        break;
      }
      default: {
        const end = rng.int(0, bytes.length);
        damage.push(`cut@${end}`);
        return { bytes: bytes.subarray(0, end), damage };
      }
    }
  }
  return { bytes, damage };
}
