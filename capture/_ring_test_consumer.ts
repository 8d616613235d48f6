/// <reference lib="deno.worker" />
/**
 * Worker side of ring_test.ts: reads every batch of a ring and posts a checksum of what it read.
 *
 * @module
 */

import { PacketBatch } from "./batch.ts";
import { PacketRing, type RingBuffers } from "./ring.ts";

self.onmessage = (event: MessageEvent<RingBuffers>) => {
  const ring = PacketRing.attach(event.data);
  const batch = new PacketBatch(1024);
  let packets = 0;
  let checksum = 0;
  while (!ring.drained) {
    if (!ring.readBatch(batch)) {
      ring.waitForData(100);
      continue;
    }
    for (let i = 0; i < batch.count; i++) {
      checksum = (checksum * 31 + batch.bytes[batch.offset[i]] + batch.caplen[i]) % 1e9;
    }
    packets += batch.count;
    ring.release();
  }
  self.postMessage({ packets, checksum });
};
