import assert from "node:assert/strict";
import { PacketBatch } from "./batch.ts";
import { CaptureFileError } from "./capture_error.ts";
import { openCaptureFile, type OpenCaptureFileOptions } from "./file_source.ts";

// ---- hand-built pcapng blocks ------------------------------------------------------------------

function words(le: boolean, ...values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, le));
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A block: type, length, body padded to 4 bytes, length. `length` overrides both length fields. */
function block(le: boolean, type: number, body: Uint8Array, length?: number, trailer?: number): Uint8Array {
  const padded = concat(body, new Uint8Array((4 - (body.length % 4)) % 4));
  const total = 12 + padded.length;
  return concat(words(le, type, length ?? total), padded, words(le, trailer ?? length ?? total));
}

function option(le: boolean, code: number, value: Uint8Array): Uint8Array {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint16(0, code, le);
  new DataView(head.buffer).setUint16(2, value.length, le);
  return concat(head, value, new Uint8Array((4 - (value.length % 4)) % 4));
}

function shb(le: boolean, major = 1): Uint8Array {
  const body = concat(words(le, 0x1a2b3c4d), new Uint8Array(12));
  const view = new DataView(body.buffer);
  view.setUint16(4, major, le);
  view.setBigInt64(8, -1n, le);
  return block(le, 0x0a0d0d0a, body);
}

interface IdbOptions {
  name?: string;
  tsresol?: number;
  tsoffset?: bigint;
}

function idb(le: boolean, linkType: number, snaplen: number, options: IdbOptions = {}): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint16(0, linkType, le);
  new DataView(head.buffer).setUint32(4, snaplen, le);
  const opts: Uint8Array[] = [];
  if (options.name !== undefined) opts.push(option(le, 2, new TextEncoder().encode(options.name)));
  if (options.tsresol !== undefined) opts.push(option(le, 9, Uint8Array.of(options.tsresol)));
  if (options.tsoffset !== undefined) {
    const value = new Uint8Array(8);
    new DataView(value.buffer).setBigInt64(0, options.tsoffset, le);
    opts.push(option(le, 14, value));
  }
  if (opts.length > 0) opts.push(new Uint8Array(4)); // opt_endofopt
  return block(le, 1, concat(head, ...opts));
}

function epb(le: boolean, ifId: number, stamp: bigint, data: Uint8Array, wirelen?: number, caplen?: number) {
  const head = words(le, ifId, Number(stamp >> 32n), Number(stamp & 0xffffffffn), caplen ?? data.length);
  return block(le, 6, concat(head, words(le, wirelen ?? data.length), data));
}

function pb(le: boolean, ifId: number, stamp: bigint, data: Uint8Array): Uint8Array {
  const head = words(le, 0, Number(stamp >> 32n), Number(stamp & 0xffffffffn), data.length, data.length);
  new DataView(head.buffer).setUint16(0, ifId, le);
  return block(le, 2, concat(head, data));
}

function spb(le: boolean, wirelen: number, data: Uint8Array): Uint8Array {
  return block(le, 3, concat(words(le, wirelen), data));
}

function frame(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 13 + i) & 0xff);
}

// ---- reading -------------------------------------------------------------------------------------

interface Packet {
  caplen: number;
  wirelen: number;
  ts: string;
  linkType: number;
  ifIndex: number;
  data: number[];
}

/** Writes `bytes` to a temporary file (named .pcap on purpose), reads it whole, removes it. */
async function readBytes(bytes: Uint8Array, options: OpenCaptureFileOptions = {}, capacity = 64) {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  await Deno.writeFile(path, bytes);
  const source = await openCaptureFile(path, options).finally(() => Deno.remove(path));
  const batch = new PacketBatch(capacity);
  const packets: Packet[] = [];
  const batches: number[] = [];
  let error: unknown;
  const interfacesAtOpen = structuredClone(source.interfaces);
  try {
    while (await source.next(batch)) {
      batches.push(batch.count);
      for (let i = 0; i < batch.count; i++) {
        const start = batch.offset[i];
        packets.push({
          caplen: batch.caplen[i],
          wirelen: batch.wirelen[i],
          ts: `${batch.tsSec[i]}.${String(batch.tsNsec[i]).padStart(9, "0")}`,
          linkType: batch.linkType[i],
          ifIndex: batch.ifIndex[i],
          data: [...batch.bytes.subarray(start, start + batch.caplen[i])],
        });
      }
    }
    assert.equal(source.bytesRead, source.fileSize);
  } catch (e) {
    error = e;
  } finally {
    source.close();
  }
  return {
    path,
    format: source.format,
    interfaces: source.interfaces,
    interfacesAtOpen,
    packets,
    batches,
    error,
    overSnaplen: source.overSnaplen,
  };
}

function pkt(data: Uint8Array, ts: string, linkType: number, ifIndex: number, wirelen = data.length): Packet {
  return { caplen: data.length, wirelen, ts, linkType, ifIndex, data: [...data] };
}

// A two-section file: little-endian section with three interfaces (Ethernet µs, raw IPv4 ns, Linux SLL at
// 2^-20 s with a 1000 s offset) and every packet block type, then a big-endian section (milliseconds).
const LE = true;
const BE = false;
const F = [frame(60, 1), frame(41, 2), frame(100, 3), frame(33, 4), frame(1, 5), frame(70, 6)];
const RICH = concat(
  shb(LE),
  idb(LE, 1, 65535, { name: "eth0" }),
  block(LE, 4, concat(words(LE, 0x00010008), frame(8, 9))), // Name Resolution Block: skipped
  idb(LE, 228, 0, { tsresol: 9 }),
  epb(LE, 0, 1700000000123456n, F[0], 64),
  epb(LE, 1, 1714578900123456533n, F[1]),
  block(LE, 0x00000bad, frame(13, 7)), // custom block: skipped
  block(LE, 5, new Uint8Array(16)), // Interface Statistics Block: skipped
  spb(LE, 100, F[2]),
  idb(LE, 113, 262144, { tsresol: 0x80 | 20, tsoffset: 1000n }),
  pb(LE, 2, (5n << 20n) + (1n << 19n), F[3]),
  block(LE, 0x0000000a, frame(20, 8)), // Decryption Secrets Block: skipped
  shb(BE),
  idb(BE, 1, 1514, { tsresol: 3, name: "eth1" }),
  epb(BE, 0, 1234567n, F[4]),
  epb(BE, 0, 1234568n, F[5], 80),
);

Deno.test("openCaptureFile() reads pcapng sections, interfaces, resolutions and block types", async () => {
  const { format, interfaces, interfacesAtOpen, packets, error } = await readBytes(RICH);
  assert.equal(error, undefined);
  assert.equal(format, "pcapng");
  assert.deepEqual(interfacesAtOpen, [
    { index: 0, name: "eth0", linkType: 1, snaplen: 65535 },
    { index: 1, linkType: 228, snaplen: 0 },
  ]);
  assert.deepEqual(interfaces, [
    ...interfacesAtOpen,
    { index: 2, linkType: 113, snaplen: 262144 },
    { index: 3, name: "eth1", linkType: 1, snaplen: 1514 },
  ]);
  assert.deepEqual(packets, [
    pkt(F[0], "1700000000.123456000", 1, 0, 64),
    pkt(F[1], "1714578900.123456533", 228, 1),
    pkt(F[2], "1714578900.123456533", 1, 0), // SPB: previous packet's time stamp
    pkt(F[3], "1005.500000000", 113, 2),
    pkt(F[4], "1234.567000000", 1, 3),
    pkt(F[5], "1234.568000000", 1, 3, 80),
  ]);
});

Deno.test("openCaptureFile() reads pcapng blocks straddling chunk ends, in any batch size", async (t) => {
  const { packets: expected } = await readBytes(RICH);
  for (const [chunkSize, capacity] of [[16, 1], [40, 2], [64, 64], [100, 3], [512, 1]]) {
    await t.step(`chunk ${chunkSize}, batch ${capacity}`, async () => {
      const { packets, error } = await readBytes(RICH, { chunkSize }, capacity);
      assert.equal(error, undefined);
      assert.deepEqual(packets, expected);
    });
  }
});

Deno.test("openCaptureFile() reads a simple packet block first (time 0, cut to the snapshot length)", async () => {
  const bytes = concat(
    shb(LE),
    idb(LE, 1, 64),
    spb(LE, 100, frame(64, 1)),
    epb(LE, 0, 7000001n, frame(10, 2)),
  );
  const { packets, error } = await readBytes(bytes);
  assert.equal(error, undefined);
  assert.deepEqual(packets, [
    pkt(frame(64, 1), "0.000000000", 1, 0, 100),
    pkt(frame(10, 2), "7.000001000", 1, 0),
  ]);
});

Deno.test("openCaptureFile() reads a pcapng frame longer than the snapshot length, as Wireshark, and counts it", async () => {
  const bytes = concat(shb(LE), idb(LE, 1, 64), epb(LE, 0, 1n, frame(100, 1)), epb(LE, 0, 2n, frame(64, 2)));
  const { packets, error, overSnaplen } = await readBytes(bytes);
  assert.equal(error, undefined);
  assert.deepEqual(packets.map((p) => p.caplen), [100, 64]);
  assert.deepEqual(packets[0].data, [...frame(100, 1)]);
  assert.equal(overSnaplen, 1);
});

const GOOD = concat(
  shb(LE),
  idb(LE, 1, 64, { tsresol: 9 }),
  epb(LE, 0, 10n, frame(20, 1)),
  epb(LE, 0, 11n, frame(30, 2)),
);
const AT = GOOD.length;

Deno.test("openCaptureFile() reads damaged pcapng files up to the damage, then throws", async (t) => {
  const e = epb(LE, 0, 12n, frame(20, 3)); // 52 bytes
  // Bytes written after the good packets, and how far after them the damage starts.
  const tails: Record<string, [Uint8Array, number?]> = {
    "length not a multiple of 4": [concat(words(LE, 6, 46), e.subarray(8))],
    "length smaller than 12": [concat(words(LE, 4, 8, 8), new Uint8Array(8))],
    "EPB shorter than its fixed part": [block(LE, 6, new Uint8Array(16))],
    "length above the sanity bound": [concat(words(LE, 6, 0x7ffffff0), new Uint8Array(64))],
    "trailing length mismatch": [block(LE, 6, e.subarray(8, 48), 52, 56)],
    "unknown interface": [epb(LE, 5, 12n, frame(20, 3))],
    "interfaces reset by a new section": [concat(shb(LE), epb(LE, 0, 12n, frame(20, 3))), 28],
    "time stamp after 9999": [concat(idb(LE, 1, 0), epb(LE, 1, 0xffffffffffffffffn, frame(20, 3))), 20],
    "time stamp before 1970": [concat(idb(LE, 1, 0, { tsoffset: -100n }), epb(LE, 1, 5n, frame(20, 3))), 36],
    "caplen beyond the block": [epb(LE, 0, 12n, frame(20, 3), 60, 40)],
    "bad byte-order magic": [concat(shb(LE).subarray(0, 8), words(LE, 0x12345678), shb(LE).subarray(12))],
    "unsupported version": [shb(LE, 2)],
    "IDB option past the block end": [block(LE, 1, concat(words(LE, 1, 0), words(LE, 0x00400002)))],
    "unsupported if_tsresol": [idb(LE, 1, 0, { tsresol: 20 })],
    "truncated block": [e.subarray(0, 20)],
    "truncated block header": [e.subarray(0, 5)],
  };
  // name | reason in the message, after 'Cannot read capture file "…" at offset N: ' | expected
  const table = `
length not a multiple of 4 | enhanced packet block length 46 is not a multiple of 4 | a block length multiple of 4
length smaller than 12 | block of type 0x00000004 length 8 is smaller than the 12-byte minimum | at least 12 bytes
EPB shorter than its fixed part | enhanced packet block length 28 is smaller than the 32-byte minimum | at least 32 bytes
length above the sanity bound | enhanced packet block length 2147483632 is larger than the 67108864-byte sanity limit | at most 67108864 bytes
trailing length mismatch | enhanced packet block length 52 differs from its trailing length 56 | a trailing block length of 52
unknown interface | enhanced packet block refers to interface 5, but the section declares 1 | an interface id below 1
interfaces reset by a new section | enhanced packet block refers to interface 0, but the section declares 0 | an interface id below 0
time stamp after 9999 | enhanced packet block has time stamp 0xffffffff:ffffffff, 18446744073709 s after 1970 with its interface's if_tsresol/if_tsoffset, outside the representable range | a time from 1970-01-01 to 9999-12-31 (0 to 253402300799 s)
time stamp before 1970 | enhanced packet block has time stamp 0x00000000:00000005, -100 s after 1970 with its interface's if_tsresol/if_tsoffset, outside the representable range | a time from 1970-01-01 to 9999-12-31 (0 to 253402300799 s)
caplen beyond the block | enhanced packet block announces 40 captured bytes, more than its length 52 holds | at most 20 captured bytes
bad byte-order magic | section header block has byte-order magic 0x12345678 | 0x1a2b3c4d
unsupported version | section header block has version 2.0 | pcapng version 1.x
IDB option past the block end | interface description block option 2 of 64 bytes runs past the block end | options within the block's 24 bytes
unsupported if_tsresol | interface description block has if_tsresol 10^-20, finer than supported | if_tsresol at most 10^-19 or 2^-63
truncated block | enhanced packet block is truncated: 20 of 52 bytes present | a block of 52 bytes
truncated block header | enhanced packet block header is truncated: 5 of 12 bytes present | a 12-byte block header
`;
  const cases = table.trim().split("\n").map((line) => line.split(" | "));
  for (const [name, reason, expected] of cases) {
    const [tail, skip] = tails[name];
    for (const chunkSize of [24, 4096]) {
      await t.step(`${name} (chunk ${chunkSize})`, async () => {
        const { path, packets, batches, error } = await readBytes(concat(GOOD, tail), { chunkSize });
        assert.deepEqual(packets.map((p) => p.ts), ["0.000000010", "0.000000011"]);
        if (chunkSize === 4096) assert.deepEqual(batches, [2]); // error on the call after the good batch
        assert.ok(error instanceof CaptureFileError, String(error));
        const at = AT + (skip ?? 0);
        assert.deepEqual([error.offset, error.expected], [at, expected]);
        assert.equal(error.message, `Cannot read capture file "${path}" at offset ${at}: ${reason}`);
      });
    }
  }
});

Deno.test("openCaptureFile() reads a truncated pcapng section header as an error at open", async () => {
  const error = await readBytes(shb(LE).subarray(0, 20)).then(() => undefined, (e) => e);
  assert.ok(error instanceof CaptureFileError);
  assert.equal(error.offset, 0);
  assert.equal(error.reason, "section header block is truncated: 20 of 28 bytes present");
});
