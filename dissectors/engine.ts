/**
 * The dissection engine: walks each packet of a batch through the dissector tables, accounts it
 * in the flow meter, hands application payloads to the dissector that owns the flow, and hands
 * everything over as a {@linkcode FlushRecord} when asked.
 *
 * This is the per-packet hot path. It allocates nothing per packet: one {@linkcode Packet} context
 * is reused, tables are typed arrays, and a dissector that throws is caught, counted and — past
 * `maxErrors` — disabled and reported, never allowed to stop the capture.
 *
 * @module
 */

import { PacketBatch } from "../capture/batch.ts";
import { Decoded, Packet, PacketFlag, Table } from "./packet.ts";
import type { DissectorRegistry } from "./registry.ts";
import { ObservationCollector } from "./observations.ts";
import { APP_NONE, APP_UNDECIDED, FlowMeter } from "./flow/flow_meter.ts";
import { type EngineStats, newEngineStats, PROBLEM_SAMPLES, recordProblem } from "../model/engine_stats.ts";
import { takeFlush } from "./flush.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { TcpSequenceTracker } from "./l4/tcp_retransmissions.ts";
import { Offered, TcpReassembly } from "./l4/tcp_reassembly.ts";

/** Options of {@linkcode DissectionEngine}. */
export interface EngineOptions {
  /** Payload packets of a flow offered to heuristic probes before giving up (default 4). */
  heuristicTries?: number;
  /** Throws after which a dissector is disabled (default 100). */
  maxErrors?: number;
  /** Initial flow table size (default 65 536; it grows). */
  flowCapacity?: number;
  /**
   * Hand retransmitted TCP segments to the application dissectors again (default false). Only the
   * fuzz harnesses want it: they feed one segment, damaged in many ways, with the same sequence number.
   */
  decodeRetransmissions?: boolean;
}

/** Capture metadata of a single frame for {@linkcode DissectionEngine.dissectFrame}. */
export interface FrameMeta {
  /** Length on the wire (default: the frame's length, i.e. not truncated by a snapshot length). */
  wirelen?: number;
  tsSec?: number;
  tsNsec?: number;
  /** LINKTYPE_* (default Ethernet). */
  linkType?: number;
  ifIndex?: number;
}

/** Deepest chain of dissectors walked for one frame (guards against table loops). */
const MAX_DEPTH = 24;

/**
 * A thrown value as text, whatever it is (an `Object.create(null)`, a Proxy, an Error whose
 * `message` getter throws): describing it must not throw out of the engine's catch.
 */
function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.message);
    if (typeof error !== "object" && typeof error !== "function") return String(error);
    return `a thrown ${typeof error} that is not an Error`;
  } catch {
    return "a thrown value that cannot be described";
  }
}

/** Decodes packets, meters flows, collects observations. */
export class DissectionEngine {
  readonly registry: DissectorRegistry;
  readonly meter: FlowMeter;
  readonly observations: ObservationCollector = new ObservationCollector();
  readonly stats: EngineStats;
  /** What each TCP flow carried: a retransmitted segment is not decoded twice (cleared at each flush). */
  readonly tcpSequences: TcpSequenceTracker = new TcpSequenceTracker();
  /** PDUs split over TCP segments, waiting for the flow's next segment (given up at each flush). */
  readonly tcpReassembly: TcpReassembly = new TcpReassembly();
  /** The application dissector {@linkcode #runApp} runs (set just before). */
  #app = -1;
  readonly #runApp = (): void => {
    this.#run(this.#app);
  };
  readonly #packet: Packet = new Packet();
  readonly #single: PacketBatch = new PacketBatch(1);
  readonly #heuristicTries: number;
  readonly #maxErrors: number;
  readonly #decodeRetransmissions: boolean;

  constructor(registry: DissectorRegistry, options: EngineOptions = {}) {
    this.registry = registry;
    this.meter = new FlowMeter(options.flowCapacity);
    this.stats = newEngineStats(registry.dissectors.length);
    this.#heuristicTries = options.heuristicTries ?? 4;
    this.#maxErrors = options.maxErrors ?? 100;
    this.#decodeRetransmissions = options.decodeRetransmissions ?? false;
  }

  /** Dissects and accounts every packet of `batch`. */
  process(batch: PacketBatch): void {
    const bytes = batch.bytes;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < batch.count; i++) this.#dissect(batch, i, bytes, view);
  }

  /**
   * Dissects and accounts one frame given on its own, and returns the packet context as the
   * dissectors left it (valid until the next call). For tests and for explaining a single frame.
   */
  dissectFrame(frame: Uint8Array, meta: FrameMeta = {}): Packet {
    const batch = this.#single;
    batch.bytes = frame;
    batch.count = 1;
    batch.offset[0] = 0;
    batch.caplen[0] = frame.length;
    batch.wirelen[0] = meta.wirelen ?? frame.length;
    batch.tsSec[0] = meta.tsSec ?? 0;
    batch.tsNsec[0] = meta.tsNsec ?? 0;
    batch.linkType[0] = meta.linkType ?? 1;
    batch.ifIndex[0] = meta.ifIndex ?? 0;
    this.process(batch);
    return this.#packet;
  }

  /** Hands over everything accounted since the last flush and starts afresh. */
  flush(): FlushRecord {
    return takeFlush(this);
  }

  /**
   * One packet. Arguments are the batch and an index, never the packet's numbers themselves: a
   * double passed to a call V8 does not inline is boxed in a new HeapNumber, i.e. an allocation
   * per packet (measured by tests/no_allocation_test.ts).
   */
  #dissect(batch: PacketBatch, i: number, bytes: Uint8Array, view: DataView): void {
    const packet = this.#packet;
    const stats = this.stats;
    const wirelen = batch.wirelen[i];
    const linkType = batch.linkType[i];
    packet.reset(bytes, view, batch.offset[i], batch.caplen[i]);
    this.observations.frame++;
    packet.wirelen = wirelen;
    packet.tsSec = batch.tsSec[i];
    packet.tsNsec = batch.tsNsec[i];
    packet.linkType = linkType;
    packet.ifIndex = batch.ifIndex[i];
    const timeUs = packet.tsSec * 1e6 + Math.floor(packet.tsNsec / 1000);
    packet.timeUs = timeUs;
    stats.packets++;
    stats.bytes += wirelen;
    if (timeUs < stats.firstUs) stats.firstUs = timeUs;
    if (timeUs > stats.lastUs) stats.lastUs = timeUs;

    const registry = this.registry;
    let table: number = Table.LINK;
    let key = linkType;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const index = registry.lookup(table, key);
      if (index < 0) {
        if (depth === 0) stats.unsupportedLinkType++;
        break;
      }
      if (this.#run(index) !== Decoded.NEXT) break;
      table = packet.nextTable;
      key = packet.nextKey;
      if (table === Table.TCP_PORT || table === Table.UDP_PORT || table === Table.NONE) break;
    }

    if (packet.srcMacOffset >= 0 || packet.dstMacOffset >= 0 || packet.ipVersion !== 0) {
      const flow = this.meter.account(packet);
      if (packet.payloadLength > 0 && (table === Table.TCP_PORT || table === Table.UDP_PORT)) {
        this.#dissectApplication(flow, table === Table.TCP_PORT);
      }
    } else {
      stats.unaccounted++;
    }

    const flags = packet.flags;
    if (flags !== 0) {
      if (flags & PacketFlag.MALFORMED) {
        stats.malformed++;
        // Formatting allocates: only for the few problems kept as samples.
        if (stats.problems.length < PROBLEM_SAMPLES) recordProblem(stats, packet.describeProblem());
      } else if (flags & PacketFlag.TRUNCATED) {
        stats.truncated++;
      }
      if (flags & PacketFlag.FRAGMENT) stats.fragments++;
    }
  }

  #dissectApplication(flow: number, isTcp: boolean): void {
    const packet = this.#packet;
    packet.flow = flow;
    let app = this.meter.app(flow);
    if (app === APP_UNDECIDED) app = this.#chooseApplication(flow, isTcp);
    if (app < 0 || this.registry.disabled[app]) return;
    if (isTcp) {
      // Only flows a dissector reads are tracked: the others would cost a cache line per segment.
      const sequences = this.tcpSequences;
      if ((sequences.carried > 0 || this.tcpReassembly.carried > 0) && sequences.isFresh(flow)) {
        // The flow's first payload since a flush (which renumbered flows): what it carried before.
        const key = this.meter.keyText(flow);
        sequences.restore(flow, key);
        this.tcpReassembly.claim(flow, key);
      }
      if (
        !this.#decodeRetransmissions && sequences.isRetransmission(flow, packet.tcpSeq, packet.payloadLength)
      ) {
        this.stats.tcpRetransmissions++;
        return;
      }
    }
    packet.appId = app;
    if (isTcp) this.#runTcp(app, flow);
    else this.#run(app);
  }

  /** An application dissector on a TCP segment: joined behind a PDU start the flow kept, if any. */
  #runTcp(app: number, flow: number): void {
    const packet = this.#packet;
    const reassembly = this.tcpReassembly;
    if (reassembly.size > 0) {
      const offered = reassembly.offer(flow, packet, this.stats);
      if (offered === Offered.GATHERED) return;
      if (offered === Offered.JOIN) {
        this.#app = app;
        reassembly.runJoined(flow, packet, this.#runApp, this.stats);
        return;
      }
    }
    this.#run(app);
    if (packet.desegmentAt >= 0) {
      reassembly.keep(flow, packet, packet.tcpSeq + packet.payloadLength, this.stats);
    }
  }

  /** Port tables first (lower port first, as Wireshark), then heuristic probes for a few packets. */
  #chooseApplication(flow: number, isTcp: boolean): number {
    const packet = this.#packet;
    const registry = this.registry;
    const ports = isTcp ? registry.tcpPort : registry.udpPort;
    const low = packet.srcPort < packet.dstPort ? packet.srcPort : packet.dstPort;
    const high = packet.srcPort < packet.dstPort ? packet.dstPort : packet.srcPort;
    let app = ports[low];
    if (app < 0) app = ports[high];
    if (app >= 0) return this.meter.setApp(flow, app);
    const heuristics = isTcp ? registry.tcpHeuristics : registry.udpHeuristics;
    if (heuristics.length === 0 || this.meter.heuristicTry(flow) >= this.#heuristicTries) {
      return this.meter.setApp(flow, APP_NONE);
    }
    for (const candidate of heuristics) {
      if (this.#probe(candidate)) return this.meter.setApp(flow, candidate);
    }
    return APP_UNDECIDED;
  }

  #probe(index: number): boolean {
    try {
      return this.registry.dissectors[index].probe?.(this.#packet) === true;
    } catch (error) {
      this.#failed(index, error);
      return false;
    }
  }

  #run(index: number): number {
    const dissector = this.registry.dissectors[index];
    this.observations.currentDissector = dissector.name;
    try {
      const status = dissector.decode(this.#packet, this.observations);
      if (status === Decoded.MALFORMED) this.stats.dissectorMalformed[index]++;
      return status;
    } catch (error) {
      this.#failed(index, error);
      return Decoded.DONE;
    }
  }

  #failed(index: number, error: unknown): void {
    const stats = this.stats;
    const name = this.registry.dissectors[index].name;
    stats.dissectorErrors[index]++;
    const message = describeError(error);
    recordProblem(stats, `Dissector "${name}" threw on frame ${stats.packets}: ${message}`);
    if (stats.dissectorErrors[index] >= this.#maxErrors && !this.registry.disabled[index]) {
      this.registry.disable(index);
      stats.disabledDissectors.push({
        name,
        reason: `threw ${stats.dissectorErrors[index]} times; last error: ${message}`,
      });
    }
  }
}
