import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { PacketBatch } from "./batch.ts";
import { PacketRing, slabBytes } from "./ring.ts";

/** A batch of `count` frames; frame i is `i % 251` repeated, of length 60 + (seed + i) % 40. */
function makeBatch(count: number, seed: number): PacketBatch {
  const batch = new PacketBatch(count, new Uint8Array(count * 120 + 16));
  let at = 16; // frames do not start at 0, as in a file buffer
  for (let i = 0; i < count; i++) {
    const length = 60 + (seed + i) % 40;
    batch.bytes.fill((seed + i) % 251, at, at + length);
    batch.offset[i] = at;
    batch.caplen[i] = length;
    batch.wirelen[i] = length + 4;
    batch.tsSec[i] = 1_700_000_000 + seed;
    batch.tsNsec[i] = i;
    batch.linkType[i] = 1;
    batch.ifIndex[i] = seed % 3;
    at += length + 16; // a record header between frames
  }
  batch.count = count;
  return batch;
}

function frames(batch: PacketBatch): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < batch.count; i++) {
    const start = batch.offset[i];
    out.push([
      batch.caplen[i],
      batch.wirelen[i],
      batch.tsSec[i],
      batch.tsNsec[i],
      batch.linkType[i],
      batch.ifIndex[i],
      batch.bytes[start],
      batch.bytes[start + batch.caplen[i] - 1],
    ]);
  }
  return out;
}

Deno.test("PacketRing carries batches unchanged, across the end of the ring, in order", () => {
  const ring = PacketRing.create(64 * 1024);
  const reader = PacketRing.attach(ring.buffers);
  const into = new PacketBatch(256);
  for (let seed = 0; seed < 200; seed++) {
    const batch = makeBatch(1 + seed % 100, seed);
    strictEqual(ring.writeBatch(batch), true, `batch ${seed} fits`);
    strictEqual(reader.readBatch(into), true);
    deepStrictEqual(frames(into), frames(batch));
    reader.release();
  }
  strictEqual(reader.readBatch(into), false);
  deepStrictEqual(ring.dropped, { batches: 0, packets: 0 });
});

Deno.test("PacketRing drops and counts a batch when full, and takes batches again once released", () => {
  const ring = PacketRing.create(16 * 1024);
  const batch = makeBatch(50, 1);
  const size = slabBytes(50, batch.offset[49] + batch.caplen[49] - batch.offset[0]);
  let written = 0;
  while (ring.writeBatch(batch)) written++;
  strictEqual(written, Math.floor((16 * 1024 - 1) / size));
  deepStrictEqual(ring.dropped, { batches: 1, packets: 50 });
  const into = new PacketBatch(64);
  strictEqual(ring.readBatch(into), true);
  ring.release();
  strictEqual(ring.readBatch(into), true);
  ring.release();
  strictEqual(
    ring.writeBatch(batch),
    true,
    "two released slabs make room for one (a gap byte separates full from empty)",
  );
});

Deno.test("PacketRing refuses misuse with clear errors", () => {
  throws(() => PacketRing.create(100), /Cannot create a packet ring of 100 bytes: the minimum is 4096/);
  const ring = PacketRing.create(8192);
  throws(() => ring.writeBatch(makeBatch(60, 0)), /larger than half the ring/);
  ring.writeBatch(makeBatch(2, 0));
  ring.writeBatch(makeBatch(2, 1));
  throws(
    () => ring.readBatch(new PacketBatch(1)),
    /Cannot read a slab of 2 packets into a batch of capacity 1/,
  );
  const into = new PacketBatch(4);
  ring.readBatch(into);
  throws(() => ring.readBatch(into), /previous one was not released/);
});

Deno.test("PacketRing moves 20 000 batches from the main thread to a worker without loss", async () => {
  const ring = PacketRing.create(256 * 1024);
  const worker = new Worker(new URL("./_ring_test_consumer.ts", import.meta.url), { type: "module" });
  const result = new Promise<{ packets: number; checksum: number }>((resolve) => {
    worker.onmessage = (event) => resolve(event.data);
  });
  worker.postMessage(ring.buffers);
  let packets = 0;
  let checksum = 0;
  for (let seed = 0; seed < 20_000; seed++) {
    const batch = makeBatch(1 + seed % 64, seed);
    // A full ring: wait for the worker to release space (an Atomics notification), with a deadline.
    const deadline = performance.now() + 10_000;
    while (!ring.writeBatch(batch)) {
      if (performance.now() > deadline) {
        throw new Error(`Cannot write batch ${seed}: the ring stayed full for 10 s`);
      }
      await ring.waitForSpaceAsync(100);
    }
    for (let i = 0; i < batch.count; i++) {
      checksum = (checksum * 31 + batch.bytes[batch.offset[i]] + batch.caplen[i]) % 1e9;
    }
    packets += batch.count;
  }
  ring.close();
  deepStrictEqual(await result, { packets, checksum });
  worker.terminate();
});

Deno.test("PacketRing sends batches read into a chunk pool as references, retained until released", async () => {
  const { ChunkPool } = await import("./chunk_pool.ts");
  const pool = ChunkPool.create(2, 64 * 1024);
  const ring = PacketRing.create(16 * 1024, pool);
  const reader = PacketRing.attach(ring.buffers);
  const batch = makeBatch(20, 3);
  pool.views[1].set(batch.bytes.subarray(0, 4000));
  batch.bytes = pool.views[1];
  strictEqual(ring.writeBatch(batch), true);
  strictEqual(pool.references(1), 1);
  const into = new PacketBatch(32);
  strictEqual(reader.readBatch(into), true);
  strictEqual(into.bytes.buffer, pool.shared.buffers[1], "the batch reads the pool buffer itself");
  deepStrictEqual(frames(into), frames(batch));
  reader.release();
  strictEqual(pool.references(1), 0);
  await pool.waitFree(1);
});
