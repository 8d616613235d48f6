import assert from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "../../tests/shared_pcaps.ts";
import { PacketBatch } from "../batch.ts";
import { CaptureFileError } from "../capture_error.ts";
import { type CaptureFileSource, openCaptureFile } from "../file_source.ts";
import { openLibpcapOffline } from "./offline_source.ts";
import { PcapWriter } from "../../samples/pcap_writer.ts";
import { LinkType } from "../batch.ts";

/** Every packet as a line: lengths, µs time stamp, link type, interface, bytes (hex). */
async function frames(source: CaptureFileSource, capacity: number, microseconds: boolean): Promise<string[]> {
  const batch = new PacketBatch(capacity);
  const lines: string[] = [];
  try {
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        const data = batch.bytes.subarray(batch.offset[i], batch.offset[i] + batch.caplen[i]);
        const nsec = microseconds ? Math.floor(batch.tsNsec[i] / 1000) * 1000 : batch.tsNsec[i];
        const hex = Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
        lines.push(
          `${batch.caplen[i]} ${batch.wirelen[i]} ${batch.tsSec[i]}.${nsec} ${batch.linkType[i]} ${hex}`,
        );
      }
    }
  } finally {
    source.close();
  }
  return lines;
}

async function withFile<T>(bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, bytes);
    return await use(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test(
  `openLibpcapOffline() reads every shared capture as openCaptureFile() does${SHARED_PCAPS.note}`,
  { ignore: SHARED_PCAPS.skip },
  async (t) => {
    for (const name of sharedCaptureFiles()) {
      await t.step(name, async () => {
        const path = sharedCapture(name);
        const reader = await openCaptureFile(path);
        const linkType = reader.interfaces[0].linkType;
        const ours = await frames(reader, 4096, true);
        const source = await openLibpcapOffline(path, { bufferSize: 64 }); // tiny: forces held-over packets
        assert.equal(source.format, name.endsWith("pcapng") ? "pcapng" : "pcap");
        // Ethernet, or BSD loopback (NULL: the DLT and LINKTYPE values are both 0).
        assert.equal(source.interfaces[0].linkType, linkType);
        assert.deepEqual(await frames(source, 5, true), ours);
        assert.equal(source.bytesRead, source.fileSize);
      });
    }
  },
);

Deno.test("openLibpcapOffline() reads a damaged file up to the damage, then throws", {
  ignore: SHARED_PCAPS.skip,
}, async () => {
  const original = await Deno.readFile(sharedCapture("http_get.pcap"));
  const cut = original.subarray(0, original.length - 10);
  await withFile(cut, async (path) => {
    const source = await openLibpcapOffline(path);
    const batch = new PacketBatch(100);
    assert.equal(await source.next(batch), true);
    assert.equal(batch.count, 13);
    const error = await source.next(batch).then(() => null, (e) => e);
    assert.ok(error instanceof CaptureFileError);
    assert.equal(error.path, path);
    assert.match(
      error.message,
      /^Cannot read capture file ".*": libpcap stopped after about \d+ bytes: truncated/,
    );
    source.close();
  });
});

Deno.test("openLibpcapOffline() reads a file libpcap refuses as a CaptureFileError", async () => {
  await withFile(new TextEncoder().encode("not a capture file at all"), async (path) => {
    const error = await openLibpcapOffline(path).then(() => null, (e) => e);
    assert.ok(error instanceof CaptureFileError);
    assert.equal(error.offset, -1);
    assert.match(error.message, /^Cannot read capture file ".*": libpcap cannot open it: .+/);
  });
});

Deno.test("openLibpcapOffline() gives the LINKTYPE of every link type NetSentinel decodes, not libpcap's DLT", async () => {
  // libpcap numbers LINKTYPE_RAW (101) as DLT_RAW (12 on Linux); the others keep their value.
  for (const linkType of Object.values(LinkType)) {
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      const writer = await PcapWriter.create(path, { linkType });
      writer.write(1_700_000_000, 0, new Uint8Array(40));
      writer.close();
      const ours = await frames(await openCaptureFile(path), 16, true);
      const source = await openLibpcapOffline(path);
      assert.equal(source.interfaces[0].linkType, linkType);
      assert.deepEqual(await frames(source, 16, true), ours);
    } finally {
      await Deno.remove(path);
    }
  }
});
