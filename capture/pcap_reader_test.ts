import assert from "node:assert/strict";
import { PacketBatch } from "./batch.ts";
import { CaptureFileError } from "./capture_error.ts";
import { openCaptureFile, type OpenCaptureFileOptions } from "./file_source.ts";
import { MAX_CAPTURED_LENGTH, parsePcapHeader } from "./pcap_reader.ts";

interface Rec {
  sec: number;
  frac: number;
  data: Uint8Array;
  wirelen?: number;
  caplen?: number;
}

interface PcapSpec {
  le?: boolean;
  nano?: boolean;
  snaplen?: number;
  linkField?: number;
  records: Rec[];
}

/** Builds a pcap file as bytes: both byte orders, µs or ns. */
function pcapBytes(spec: PcapSpec): Uint8Array {
  const le = spec.le ?? true;
  const size = 24 + spec.records.reduce((sum, r) => sum + 16 + r.data.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, spec.nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  view.setUint16(4, 2, le);
  view.setUint16(6, 4, le);
  view.setUint32(16, spec.snaplen ?? 65535, le);
  view.setUint32(20, spec.linkField ?? 1, le);
  let at = 24;
  for (const r of spec.records) {
    view.setUint32(at, r.sec, le);
    view.setUint32(at + 4, r.frac, le);
    view.setUint32(at + 8, r.caplen ?? r.data.length, le);
    view.setUint32(at + 12, r.wirelen ?? r.data.length, le);
    bytes.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return bytes;
}

function frame(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i) & 0xff);
}

async function withFile<T>(bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".pcapng" }); // wrong extension on purpose
  try {
    await Deno.writeFile(path, bytes);
    return await use(path);
  } finally {
    await Deno.remove(path);
  }
}

interface Packet {
  caplen: number;
  wirelen: number;
  sec: number;
  nsec: number;
  linkType: number;
  ifIndex: number;
  data: number[];
}

/** Reads a whole file; returns the packets and the error that ended it, if any. */
async function readAll(
  path: string,
  options: OpenCaptureFileOptions = {},
  capacity = 64,
): Promise<{ packets: Packet[]; error?: unknown; batches: number[]; overSnaplen: number }> {
  const source = await openCaptureFile(path, options);
  const batch = new PacketBatch(capacity);
  const packets: Packet[] = [];
  const batches: number[] = [];
  try {
    while (await source.next(batch)) {
      batches.push(batch.count);
      for (let i = 0; i < batch.count; i++) {
        const start = batch.offset[i];
        packets.push({
          caplen: batch.caplen[i],
          wirelen: batch.wirelen[i],
          sec: batch.tsSec[i],
          nsec: batch.tsNsec[i],
          linkType: batch.linkType[i],
          ifIndex: batch.ifIndex[i],
          data: [...batch.bytes.subarray(start, start + batch.caplen[i])],
        });
      }
    }
    assert.equal(source.bytesRead, source.fileSize);
    return { packets, batches, overSnaplen: source.overSnaplen };
  } catch (error) {
    return { packets, error, batches, overSnaplen: source.overSnaplen };
  } finally {
    source.close();
  }
}

const RECORDS: Rec[] = [
  { sec: 1700000000, frac: 123456, data: frame(60, 1) },
  { sec: 1700000001, frac: 999999, data: frame(1514, 2), wirelen: 1514 },
  { sec: 4294967295, frac: 0, data: frame(0, 3), wirelen: 64 },
];

Deno.test("openCaptureFile() reads pcap files in both byte orders and both resolutions", async (t) => {
  const cases = [
    { name: "little-endian µs", le: true, nano: false },
    { name: "big-endian µs", le: false, nano: false },
    { name: "little-endian ns", le: true, nano: true },
    { name: "big-endian ns", le: false, nano: true },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const records = RECORDS.map((r) => ({ ...r, frac: c.nano ? r.frac * 1000 + 7 : r.frac }));
      await withFile(pcapBytes({ le: c.le, nano: c.nano, records }), async (path) => {
        const source = await openCaptureFile(path);
        assert.equal(source.format, "pcap");
        assert.deepEqual(source.interfaces, [{ index: 0, linkType: 1, snaplen: 65535 }]);
        source.close();
        const { packets, error } = await readAll(path);
        assert.equal(error, undefined);
        assert.deepEqual(
          packets,
          records.map((r) => ({
            caplen: r.data.length,
            wirelen: r.wirelen ?? r.data.length,
            sec: r.sec,
            nsec: c.nano ? r.frac : r.frac * 1000,
            linkType: 1,
            ifIndex: 0,
            data: [...r.data],
          })),
        );
      });
    });
  }
});

Deno.test("openCaptureFile() reads the link type from the low 16 bits and the FCS length from the top bits", async () => {
  // FCS len 2 (16-bit words), P bit set, a reserved bit set (ignored), link type 105 (802.11).
  const field = (2 << 28) | 0x04000000 | 0x00010000 | 105;
  const bytes = pcapBytes({ linkField: field >>> 0, records: [{ sec: 1, frac: 0, data: frame(20, 1) }] });
  const header = parsePcapHeader(new DataView(bytes.buffer));
  assert.equal(header.linkType, 105);
  assert.equal(header.fcsLength, 4);
  assert.equal(
    parsePcapHeader(new DataView(pcapBytes({ linkField: (2 << 28) | 1, records: [] }).buffer)).fcsLength,
    -1,
  );
  await withFile(bytes, async (path) => {
    const { packets } = await readAll(path);
    assert.equal(packets[0].linkType, 105);
  });
});

Deno.test("openCaptureFile() reads odd but tolerated pcap records", async (t) => {
  const cases = [
    {
      name: "caplen > wirelen raises wirelen",
      rec: { sec: 5, frac: 0, data: frame(80, 1), wirelen: 60 },
      want: [5, 0, 80],
    },
    {
      name: "µs fraction ≥ 1 s is carried",
      rec: { sec: 5, frac: 2_500_000, data: frame(10, 1) },
      want: [7, 500_000_000, 10],
    },
    {
      name: "snaplen 0 means unlimited",
      rec: { sec: 5, frac: 1, data: frame(70000, 1) },
      want: [5, 1000, 70000],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      await withFile(pcapBytes({ snaplen: 0, records: [c.rec] }), async (path) => {
        const { packets, error } = await readAll(path);
        assert.equal(error, undefined);
        assert.deepEqual([packets[0].sec, packets[0].nsec, packets[0].wirelen], c.want);
      });
    });
  }
});

Deno.test("openCaptureFile() reads a pcap record longer than the snapshot length, as Wireshark, and counts it", async () => {
  const records = [{ sec: 1, frac: 0, data: frame(100, 1) }, { sec: 2, frac: 0, data: frame(64, 2) }];
  await withFile(pcapBytes({ snaplen: 64, records }), async (path) => {
    const { packets, error, overSnaplen } = await readAll(path);
    assert.equal(error, undefined);
    assert.deepEqual(packets.map((p) => p.caplen), [100, 64]);
    assert.deepEqual(packets[0].data, [...frame(100, 1)]);
    assert.equal(overSnaplen, 1);
  });
});

Deno.test("openCaptureFile() reads records straddling chunk ends and larger than the buffer", async (t) => {
  const records = Array.from({ length: 200 }, (_, i) => ({
    sec: 1000 + i,
    frac: i,
    data: frame(i === 77 ? 5000 : (i * 37) % 300, i),
  }));
  const bytes = pcapBytes({ records, snaplen: 262144 });
  const expected = records.map((r) => r.data.length);
  for (const [chunkSize, capacity] of [[16, 1], [64, 3], [100, 64], [4096, 5], [1 << 22, 1000]]) {
    await t.step(`chunk ${chunkSize}, batch ${capacity}`, async () => {
      await withFile(bytes, async (path) => {
        const { packets, error } = await readAll(path, { chunkSize }, capacity);
        assert.equal(error, undefined);
        assert.deepEqual(packets.map((p) => p.caplen), expected);
        assert.deepEqual(packets.map((p) => p.sec), records.map((r) => r.sec));
        for (let i = 0; i < records.length; i++) assert.deepEqual(packets[i].data, [...records[i].data]);
      });
    });
  }
});

Deno.test("openCaptureFile() reads damaged pcap files up to the damage, then throws", async (t) => {
  const good = [{ sec: 1, frac: 0, data: frame(40, 1) }, { sec: 2, frac: 0, data: frame(50, 2) }];
  const goodBytes = pcapBytes({ records: good });
  const damageAt = goodBytes.length; // 24 + 56 + 66 = 146
  const cut = (extra: Rec, keep: number) =>
    pcapBytes({ records: [...good, extra] }).subarray(0, damageAt + keep);
  const cases = [
    {
      name: "truncated record header",
      bytes: cut({ sec: 3, frac: 0, data: frame(30, 3) }, 7),
      reason: "record header is truncated: 7 of 16 bytes present",
      expected: "a 16-byte record header",
    },
    {
      name: "truncated record data",
      bytes: cut({ sec: 3, frac: 0, data: frame(30, 3) }, 16 + 12),
      reason: "record data is truncated: 12 of 30 captured bytes present",
      expected: "30 bytes of packet data",
    },
    {
      name: "caplen > sanity bound with snaplen 0",
      bytes: pcapBytes({
        snaplen: 0,
        records: [...good, { sec: 3, frac: 0, data: frame(10, 3), caplen: 2 ** 31 }],
      }),
      reason:
        `record header announces 2147483648 captured bytes, larger than the ${MAX_CAPTURED_LENGTH}-byte sanity limit`,
      expected: `a captured length of at most ${MAX_CAPTURED_LENGTH} bytes`,
    },
  ];
  for (const c of cases) {
    for (const chunkSize of [32, 4096]) {
      await t.step(`${c.name} (chunk ${chunkSize})`, async () => {
        await withFile(c.bytes, async (path) => {
          const { packets, error, batches } = await readAll(path, { chunkSize }, 64);
          assert.deepEqual(packets.map((p) => p.caplen), [40, 50]);
          // The good packets come in a batch of their own; the error is thrown by the following call.
          if (chunkSize === 4096) assert.deepEqual(batches, [2]);
          assert.ok(error instanceof CaptureFileError, String(error));
          assert.equal(error.offset, damageAt);
          assert.equal(error.path, path);
          assert.equal(error.expected, c.expected);
          assert.equal(
            error.message,
            `Cannot read capture file "${path}" at offset ${damageAt}: ${c.reason}`,
          );
        });
      });
    }
  }
});

Deno.test("openCaptureFile() reads a truncated pcap file header as an error at offset 0", async () => {
  await withFile(pcapBytes({ records: [] }).subarray(0, 10), async (path) => {
    const error = await openCaptureFile(path).then(() => undefined, (e) => e);
    assert.ok(error instanceof CaptureFileError);
    assert.equal(error.offset, 0);
    assert.equal(
      error.message,
      `Cannot read capture file "${path}" at offset 0: pcap file header is truncated: 10 of 24 bytes present`,
    );
  });
});
