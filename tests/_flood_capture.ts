/**
 * Test helper: flood captures, written fast in 64 Ki-frame chunks (millions of frames in seconds).
 *
 * @module
 */

const FRAME_BYTES = 60;

/** What {@linkcode writeFloodCapture} writes. */
export interface FloodOptions {
  frames: number;
  /** Source ports per source address (default 15 000). */
  ports?: number;
  /** Distinct flows: frame i belongs to flow i % flows (default: every frame a flow of its own). */
  flows?: number;
}

/**
 * Writes a pcap file of 60-byte UDP frames, 100 000 per second: frame i belongs to flow
 * f = i % flows, sent from 10.0.(f / ports) port 50000 + f % ports to 192.168.0.1:9999.
 */
export async function writeFloodCapture(path: string, options: FloodOptions): Promise<void> {
  const FRAMES = options.frames;
  const PORTS = options.ports ?? 15_000;
  const flows = options.flows ?? FRAMES;
  const record = 16 + FRAME_BYTES;
  const perChunk = 65536;
  const chunk = new Uint8Array(record * perChunk);
  const view = new DataView(chunk.buffer);
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    const header = new DataView(new ArrayBuffer(24));
    header.setUint32(0, 0xa1b2c3d4, true);
    header.setUint16(4, 2, true);
    header.setUint16(6, 4, true);
    header.setUint32(16, 65535, true);
    header.setUint32(20, 1, true);
    await file.write(new Uint8Array(header.buffer));
    for (let first = 0; first < FRAMES; first += perChunk) {
      const count = Math.min(perChunk, FRAMES - first);
      chunk.fill(0);
      for (let k = 0; k < count; k++) {
        const i = first + k;
        const at = k * record;
        view.setUint32(at, 1_700_000_000 + Math.floor(i / 100_000), true);
        view.setUint32(at + 4, (i % 100_000) * 10, true);
        view.setUint32(at + 8, FRAME_BYTES, true);
        view.setUint32(at + 12, FRAME_BYTES, true);
        const frame = at + 16;
        chunk.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00], frame);
        const ip = frame + 14;
        chunk.set([0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17], ip);
        view.setUint32(ip + 12, 0x0a000000 + Math.floor((i % flows) / PORTS), false);
        view.setUint32(ip + 16, 0xc0a80001, false);
        let sum = 0;
        for (let j = 0; j < 20; j += 2) sum += view.getUint16(ip + j, false);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
        view.setUint16(ip + 10, ~sum & 0xffff, false);
        view.setUint16(ip + 20, 50_000 + ((i % flows) % PORTS), false);
        view.setUint16(ip + 22, 9999, false);
        view.setUint16(ip + 24, 26, false);
      }
      const bytes = chunk.subarray(0, count * record);
      for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
    }
  } finally {
    file.close();
  }
}
