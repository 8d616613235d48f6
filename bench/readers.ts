/**
 * Times the TypeScript capture file reader against libpcap's reader (through FFI) on the same file.
 *
 * Each reader reads the whole file in batches of 4096 packets and touches every packet's captured
 * length, nothing more; the best of several rounds counts (the file is then in the page cache).
 *
 * ```sh
 * deno run -A bench/readers.ts FILE            # any pcap or pcapng file
 * deno run -A bench/readers.ts                 # generates two 2 M-packet files in the temp folder
 * ```
 *
 * @module
 */

import { PacketBatch } from "../capture/batch.ts";
import { type CaptureFileSource, openCaptureFile } from "../capture/file_source.ts";
import { openLibpcapOffline } from "../capture/libpcap/offline_source.ts";
import { sharedCapture, sharedCaptureFiles } from "../tests/shared_pcaps.ts";

/** Result of {@linkcode compareReaders}. */
export interface ReaderComparison {
  /** Packets per second of the TypeScript reader (`openCaptureFile`). */
  tsPps: number;
  /** Packets per second of libpcap's reader through FFI (`openLibpcapOffline`). */
  libpcapPps: number;
  /** Packets in the file. */
  packets: number;
}

/** Options of {@linkcode compareReaders}. */
export interface CompareReadersOptions {
  /** Rounds per reader; the fastest counts. Default 3. */
  rounds?: number;
  /** Packets per batch. Default 4096. */
  batchSize?: number;
}

async function timeReader(source: CaptureFileSource, batch: PacketBatch): Promise<[number, number, number]> {
  const start = performance.now();
  let packets = 0;
  let bytes = 0;
  try {
    while (await source.next(batch)) {
      const caplen = batch.caplen;
      for (let i = 0; i < batch.count; i++) bytes += caplen[i];
      packets += batch.count;
    }
  } finally {
    source.close();
  }
  return [performance.now() - start, packets, bytes];
}

/**
 * Reads `path` with both readers and returns their speeds.
 *
 * @param path a pcap or pcapng file (preferably large: ≥ 1 M packets)
 * @param options rounds and batch size
 * @returns packets per second of each reader
 * @throws {Error} when the readers disagree on the packet count or the captured bytes
 */
export async function compareReaders(
  path: string,
  options: CompareReadersOptions = {},
): Promise<ReaderComparison> {
  const rounds = options.rounds ?? 3;
  const batch = new PacketBatch(options.batchSize ?? 4096);
  let tsMs = Infinity;
  let libpcapMs = Infinity;
  let tsResult: number[] = [];
  let libpcapResult: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const [ms, ...result] = await timeReader(await openCaptureFile(path), batch);
    tsMs = Math.min(tsMs, ms);
    tsResult = result;
    const [libMs, ...libResult] = await timeReader(await openLibpcapOffline(path), batch);
    libpcapMs = Math.min(libpcapMs, libMs);
    libpcapResult = libResult;
  }
  if (tsResult[0] !== libpcapResult[0] || tsResult[1] !== libpcapResult[1]) {
    throw new Error(
      `Cannot compare readers on "${path}": TypeScript read ${tsResult[0]} packets (${tsResult[1]} bytes), ` +
        `libpcap ${libpcapResult[0]} packets (${libpcapResult[1]} bytes)`,
    );
  }
  const packets = tsResult[0];
  return { tsPps: packets / (tsMs / 1000), libpcapPps: packets / (libpcapMs / 1000), packets };
}

/** Options of {@linkcode makeBenchCapture}. */
export interface MakeBenchCaptureOptions {
  /** Number of packets to write. Default 2,000,000. */
  packets?: number;
  /** When set, every frame is cut or padded to this many bytes (e.g. 64). Default: frames as captured. */
  frameSize?: number;
}

/**
 * Writes a large Ethernet pcap file by repeating the frames of the shared captures (never into the
 * repository: pass a temporary path).
 *
 * @param dest the file to write
 * @param options packet count and frame size
 * @returns the number of packets written
 */
export async function makeBenchCapture(dest: string, options: MakeBenchCaptureOptions = {}): Promise<number> {
  const wanted = options.packets ?? 2_000_000;
  const records: Uint8Array[] = [];
  const batch = new PacketBatch(1024);
  for (const name of sharedCaptureFiles()) {
    const source = await openCaptureFile(sharedCapture(name));
    while (await source.next(batch)) {
      for (let i = 0; i < batch.count; i++) {
        if (batch.linkType[i] !== 1) continue;
        const caplen = options.frameSize ?? batch.caplen[i];
        const record = new Uint8Array(16 + caplen);
        const view = new DataView(record.buffer);
        view.setUint32(0, batch.tsSec[i], true);
        view.setUint32(4, Math.floor(batch.tsNsec[i] / 1000), true);
        view.setUint32(8, caplen, true);
        view.setUint32(12, Math.max(caplen, batch.wirelen[i]), true);
        const frame = batch.bytes.subarray(
          batch.offset[i],
          batch.offset[i] + Math.min(caplen, batch.caplen[i]),
        );
        record.set(frame, 16);
        records.push(record);
      }
    }
    source.close();
  }
  if (records.length === 0) {
    throw new Error("Cannot make a bench capture: no Ethernet frame in the shared captures");
  }
  const cycle = new Uint8Array(records.reduce((sum, record) => sum + record.length, 0));
  let at = 0;
  for (const record of records) {
    cycle.set(record, at);
    at += record.length;
  }
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 262144, true);
  view.setUint32(20, 1, true);
  using file = await Deno.open(dest, { write: true, create: true, truncate: true });
  await file.write(header);
  let written = 0;
  while (written + records.length <= wanted) {
    for (let done = 0; done < cycle.length;) done += await file.write(cycle.subarray(done));
    written += records.length;
  }
  for (const record of records.slice(0, wanted - written)) {
    for (let done = 0; done < record.length;) done += await file.write(record.subarray(done));
  }
  return wanted;
}

function report(label: string, result: ReaderComparison): void {
  const mpps = (pps: number) => (pps / 1e6).toFixed(2).padStart(6);
  console.log(
    `${label}: ${result.packets} packets  TypeScript ${mpps(result.tsPps)} Mpps  libpcap ${
      mpps(result.libpcapPps)
    } Mpps` +
      `  ratio ${(result.tsPps / result.libpcapPps).toFixed(2)}×`,
  );
}

if (import.meta.main) {
  if (Deno.args.length > 0) {
    for (const path of Deno.args) report(path, await compareReaders(path));
  } else {
    const dir = await Deno.makeTempDir({ prefix: "netsentinel-bench-" });
    try {
      for (const [name, frameSize] of [["mixed", undefined], ["64-byte", 64]] as const) {
        const path = `${dir}/${name}.pcap`;
        await makeBenchCapture(path, { frameSize });
        report(
          `${name} frames (${((await Deno.stat(path)).size / 1e6).toFixed(0)} MB)`,
          await compareReaders(path),
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}
