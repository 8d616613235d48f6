import assert from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "../tests/shared_pcaps.ts";
import { notes } from "../tests/requirements.ts";
import { TSHARK } from "../tests/tshark_fields.ts";
import { PacketBatch } from "./batch.ts";
import { CaptureFileError } from "./capture_error.ts";
import {
  type CaptureFileSource,
  MIN_CHUNK_SIZE,
  openCaptureFile,
  type OpenCaptureFileOptions,
} from "./file_source.ts";

async function withFile<T>(bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, bytes);
    return await use(path);
  } finally {
    await Deno.remove(path);
  }
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.replace(/\s+/g, "").match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

// One-packet files: classic pcap (little-endian µs, Ethernet) and pcapng (SHB, IDB, EPB of 4 bytes).
const PCAP = hexBytes(`
  d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
  01000000 02000000 04000000 3c000000 deadbeef`);
const PCAPNG = hexBytes(`
  0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000
  01000000 14000000 0100 0000 00000000 14000000
  06000000 24000000 00000000 00000000 05000000 04000000 04000000 deadbeef 24000000`);

async function openError(bytes: Uint8Array, options?: OpenCaptureFileOptions): Promise<[string, unknown]> {
  return await withFile(
    bytes,
    async (path) => [path, await openCaptureFile(path, options).then(() => null, (e) => e)],
  );
}

Deno.test("openCaptureFile() reads the format from the magic number, not the file name", async (t) => {
  for (
    const [name, bytes, format, ts] of [["pcap", PCAP, "pcap", 2000], [
      "pcapng",
      PCAPNG,
      "pcapng",
      5000,
    ]] as const
  ) {
    for (const suffix of [".pcap", ".pcapng", ".cap", ""]) {
      await t.step(`${name} named *${suffix}`, async () => {
        const path = await Deno.makeTempFile({ suffix });
        try {
          await Deno.writeFile(path, bytes);
          const source = await openCaptureFile(path);
          assert.equal(source.format, format);
          assert.equal(source.fileSize, bytes.length);
          const batch = new PacketBatch(8);
          assert.equal(await source.next(batch), true);
          assert.deepEqual([batch.count, batch.caplen[0], batch.tsNsec[0], batch.linkType[0]], [1, 4, ts, 1]);
          assert.deepEqual([...batch.bytes.subarray(batch.offset[0], batch.offset[0] + 4)], [
            0xde,
            0xad,
            0xbe,
            0xef,
          ]);
          assert.equal(source.bytesRead, bytes.length);
          assert.equal(await source.next(batch), false);
          assert.equal(await source.next(batch), false);
          source.close();
        } finally {
          await Deno.remove(path);
        }
      });
    }
  }
});

Deno.test("openCaptureFile() reads files that are not capture files as a one-line error", async (t) => {
  const cases: [string, Uint8Array, string][] = [
    ["empty file", new Uint8Array(0), "the file is empty"],
    ["3-byte file", hexBytes("d4c3b2"), "the file is 3 bytes long, too short for a pcap or pcapng header"],
    ["ELF binary", hexBytes("7f454c46 02010100"), "the file is not a pcap or pcapng file (magic 0x7f454c46)"],
    [
      "gzip-compressed capture",
      hexBytes("1f8b0800 00000000"),
      "the file is not a pcap or pcapng file (magic 0x1f8b0800, it looks gzip-compressed)",
    ],
    [
      "text",
      new TextEncoder().encode("hello, world\n"),
      "the file is not a pcap or pcapng file (magic 0x68656c6c)",
    ],
  ];
  for (const [name, bytes, reason] of cases) {
    await t.step(name, async () => {
      const [path, error] = await openError(bytes);
      assert.ok(error instanceof CaptureFileError);
      assert.equal(error.offset, -1);
      assert.equal(error.expected, "a pcap or pcapng file header");
      assert.equal(error.message, `Cannot read capture file "${path}": ${reason}`);
      assert.ok(!error.message.includes("\n"));
    });
  }
});

Deno.test("openCaptureFile() reads with valid options only", async () => {
  for (const chunkSize of [0, MIN_CHUNK_SIZE - 1, 1.5, NaN]) {
    const [path, error] = await openError(PCAP, { chunkSize });
    assert.ok(error instanceof RangeError);
    assert.equal(
      error.message,
      `Cannot open capture file "${path}": chunkSize must be an integer of at least 16, got ${chunkSize}`,
    );
  }
  await assert.rejects(openCaptureFile("/nonexistent/netsentinel.pcap"), Deno.errors.NotFound);
  await withFile(PCAP, async (path) => {
    const source = await openCaptureFile(path);
    await assert.rejects(source.next(new PacketBatch(0)), RangeError);
    source.close();
    source.close(); // twice is fine
    await assert.rejects(source.next(new PacketBatch(1)), /the source is closed/);
  });
});

Deno.test(
  `openCaptureFile() reads corrupted files without any error but CaptureFileError${SHARED_PCAPS.note}`,
  {
    ignore: SHARED_PCAPS.skip,
  },
  async () => {
    // Deterministic fuzzing: random byte changes and cuts in a pcap and a pcapng file; a DataView
    // RangeError or any other error class would be a bug.
    let seed = 12345;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (const name of ["http_get.pcap", "hartip_udp_tcp.pcapng"]) {
      const original = await Deno.readFile(sharedCapture(name));
      for (let round = 0; round < 150; round++) {
        const bytes = original.slice(0, round % 3 === 0 ? random(original.length) : original.length);
        for (let k = random(6); k >= 0; k--) bytes[random(bytes.length)] = random(256);
        await withFile(bytes, async (path) => {
          let source: CaptureFileSource | undefined;
          try {
            source = await openCaptureFile(path, { chunkSize: [16, 100, 4096][round % 3] });
            const batch = new PacketBatch(1 + random(10));
            while (await source.next(batch));
          } catch (error) {
            assert.ok(error instanceof CaptureFileError, `${name} round ${round}: ${error}`);
          } finally {
            source?.close();
          }
        });
      }
    }
  },
);

// ---- cross-check against tshark on every shared capture --------------------------------------

async function tsharkFrames(path: string): Promise<string[]> {
  const fields = ["frame.cap_len", "frame.len", "frame.time_epoch", "frame.interface_id"].flatMap((
    f,
  ) => ["-e", f]);
  TSHARK.check();
  const output = await new Deno.Command("tshark", {
    args: ["-n", "-r", path, "-T", "fields", ...fields],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`tshark failed on ${path}: ${new TextDecoder().decode(output.stderr)}`);
  }
  // A pcap file has no interface id: tshark prints an empty field, which is interface 0 here.
  return new TextDecoder().decode(output.stdout).split("\n").filter((line) => line !== "").map((line) =>
    line.replace(/\t$/, "\t0")
  );
}

async function ourFrames(path: string, chunkSize: number, capacity: number): Promise<string[]> {
  const source = await openCaptureFile(path, { chunkSize });
  const batch = new PacketBatch(capacity);
  const lines: string[] = [];
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const epoch = `${batch.tsSec[i]}.${String(batch.tsNsec[i]).padStart(9, "0")}`;
        lines.push(`${batch.caplen[i]}\t${batch.wirelen[i]}\t${epoch}\t${batch.ifIndex[i]}`);
      }
    }
    assert.equal(source.bytesRead, source.fileSize);
  } finally {
    source.close();
  }
  return lines;
}

Deno.test(
  `openCaptureFile() reads every shared capture as tshark does${notes(SHARED_PCAPS, TSHARK)}`,
  {
    ignore: SHARED_PCAPS.skip || TSHARK.skip,
  },
  async (t) => {
    const files = sharedCaptureFiles();
    assert.ok(files.length >= 38, `only ${files.length} shared captures`);
    for (const name of files) {
      await t.step(name, async () => {
        const path = sharedCapture(name);
        const expected = await tsharkFrames(path);
        assert.ok(expected.length > 0);
        // Default buffer and batch, then a tiny buffer and odd batch size so records straddle chunks.
        assert.deepEqual(await ourFrames(path, 4 * 1024 * 1024, 4096), expected);
        assert.deepEqual(await ourFrames(path, 200, 7), expected);
      });
    }
  },
);
