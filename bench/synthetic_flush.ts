/**
 * Synthetic flush records for the persistence benchmark: what a busy sensor hands the aggregator
 * every flush interval, without capturing minutes of traffic first. A fixed population of hosts
 * (MAC, IPv4 address, VLAN; 10 % on 802.1Q VLANs, 5 % behind QinQ) and a set of active flows
 * between them; every flush, every active flow carries traffic and a share of the flows is replaced
 * by new ones (churn). Each flush covers `flushSeconds` starting 30 s into a minute by default, so
 * every flow closes two one-minute buckets per 60 s flush, each minute arriving in two flushes (the
 * most work a flush can make); `offsetSeconds: 0` aligns flushes on minutes.
 *
 * Keys are packed as model/flow_key.ts and dissectors/observations.ts document.
 *
 * @module
 */

import { FLOW_KEY_WORDS } from "../model/flow_key.ts";
import { BUCKET_MICROS } from "../dissectors/flow/flow_meter.ts";
import { BUCKET_STRIDE } from "../model/flush_record.ts";
import { SIGHTING_KEY_WORDS } from "../model/flush_record.ts";
import { newEngineStats } from "../model/engine_stats.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import { Rng } from "../samples/rng.ts";

/** Options of {@linkcode SyntheticSensor}. */
export interface SyntheticOptions {
  /** Hosts (devices). */
  devices: number;
  /** Flows active in every flush. */
  flows: number;
  /** Packets per second the sensor accounts (shared by the active flows). */
  packetsPerSecond: number;
  /** Seconds covered by one flush (the flush interval). */
  flushSeconds: number;
  /** Share of the flows replaced by new ones at each flush (0–1). */
  churn: number;
  /** Bytes per frame on the wire. */
  frameBytes: number;
  /** Seconds into a minute at which flushes start (default 30: every flush splits two minutes). */
  offsetSeconds?: number;
  seed?: number;
}

interface Host {
  macHigh: number;
  macLow: number;
  ip: number;
  vlanWord: number;
}

const TCP = 6;
const UDP = 17;

/** A sensor producing one synthetic flush record per call. */
export class SyntheticSensor {
  readonly #options: SyntheticOptions;
  readonly #rng: Rng;
  readonly #hosts: Host[] = [];
  /** Active flows: [source host, destination host, protocol, source port, destination port]. */
  readonly #flows: [number, number, number, number, number][] = [];
  /** Keys of the active flows, to keep them distinct (a flush record never repeats a key). */
  readonly #active: Set<string> = new Set();
  #sightingOffset = 0;
  #startUs: number;
  #packets = 0;

  constructor(options: SyntheticOptions) {
    this.#options = options;
    this.#rng = new Rng(options.seed ?? 7);
    this.#startUs = (Date.UTC(2026, 0, 5, 8, 0, 0) + (options.offsetSeconds ?? 30) * 1000) * 1000;
    for (let i = 0; i < options.devices; i++) {
      const share = i % 20;
      const vlanWord = share === 0 ? ((200 + 1) << 16) | (100 + 1) : share < 3 ? 10 + 1 : 0;
      this.#hosts.push({
        macHigh: (0x001b2100 | (i >>> 16)) >>> 0,
        macLow: i & 0xffff,
        ip: (((10 << 24) | ((i >>> 8) << 8) | (i & 0xff)) >>> 0) + (1 << 16),
        vlanWord: vlanWord >>> 0,
      });
    }
    for (let i = 0; i < options.flows; i++) this.#flows.push(this.#newFlow());
  }

  #newFlow(): [number, number, number, number, number] {
    const hosts = this.#hosts.length;
    for (;;) {
      const src = this.#rng.int(0, hosts - 1);
      let dst = this.#rng.int(0, hosts - 1);
      if (dst === src) dst = (dst + 1) % hosts;
      const tcp = this.#rng.chance(0.8);
      const flow: [number, number, number, number, number] = [
        src,
        dst,
        tcp ? TCP : UDP,
        this.#rng.int(1024, 65535),
        tcp ? 443 : 514,
      ];
      const key = flow.join(",");
      if (this.#active.has(key)) continue;
      this.#active.add(key);
      return flow;
    }
  }

  #replaceFlow(index: number): void {
    this.#active.delete(this.#flows[index].join(","));
    this.#flows[index] = this.#newFlow();
  }

  /** The next flush record. */
  next(): FlushRecord {
    const o = this.#options;
    const churned = Math.round(o.flows * o.churn);
    for (let i = 0; i < churned; i++) this.#replaceFlow(this.#rng.int(0, o.flows - 1));
    const count = this.#flows.length;
    const perFlow = Math.max(1, Math.round(o.packetsPerSecond * o.flushSeconds / count));
    const startUs = this.#startUs;
    const endUs = startUs + o.flushSeconds * 1e6 - 1;
    this.#startUs += o.flushSeconds * 1e6;
    const keys = new Uint32Array(count * FLOW_KEY_WORDS);
    const firstMinute = Math.floor(startUs / BUCKET_MICROS);
    const lastMinute = Math.floor(endUs / BUCKET_MICROS);
    const minutes = lastMinute - firstMinute + 1;
    const buckets = new Float64Array(count * minutes * BUCKET_STRIDE);
    const record: FlushRecord = {
      dissectorNames: ["ethernet", "ipv4", "tcp", "udp", "arp"],
      flows: {
        count,
        keys,
        firstUs: new Float64Array(count).fill(startUs),
        lastUs: new Float64Array(count).fill(endUs),
        packets: new Float64Array(count).fill(perFlow),
        bytes: new Float64Array(count).fill(perFlow * o.frameBytes),
        tcpFlags: new Uint8Array(count),
        syn: new Uint32Array(count),
        rst: new Uint32Array(count),
        fin: new Uint32Array(count),
        app: new Int16Array(count).fill(-1),
      },
      buckets,
      sightings: this.#sightings(startUs),
      identities: [],
      events: [],
      stats: newEngineStats(5),
    };
    let at = 0;
    for (let flow = 0; flow < count; flow++) {
      const [src, dst, proto, sport, dport] = this.#flows[flow];
      const s = this.#hosts[src], d = this.#hosts[dst];
      const k = flow * FLOW_KEY_WORDS;
      keys[k] = s.macHigh;
      keys[k + 1] = ((s.macLow << 16) | (d.macHigh >>> 16)) >>> 0;
      keys[k + 2] = (((d.macHigh & 0xffff) << 16) | d.macLow) >>> 0;
      keys[k + 3] = s.ip;
      keys[k + 7] = d.ip;
      keys[k + 11] = ((sport << 16) | dport) >>> 0;
      keys[k + 12] = s.vlanWord;
      keys[k + 13] = ((0x0800 << 16) | ((proto + 1) << 4) | 4) >>> 0;
      if (proto === TCP) record.flows.tcpFlags[flow] = 0x18;
      for (let m = 0; m < minutes; m++) {
        const share = Math.round(perFlow / minutes);
        buckets.set(
          [flow, firstMinute + m, share, share * o.frameBytes, o.frameBytes, o.frameBytes, 0, 0, 0],
          at,
        );
        at += BUCKET_STRIDE;
      }
    }
    this.#packets += perFlow * count;
    record.stats.packets = this.#packets;
    record.stats.bytes = this.#packets * o.frameBytes;
    return record;
  }

  /** ARP sightings of a tenth of the hosts (another tenth each flush). */
  #sightings(timeUs: number): FlushRecord["sightings"] {
    const count = Math.ceil(this.#hosts.length / 10);
    const keys = new Uint32Array(count * SIGHTING_KEY_WORDS);
    const hosts = this.#hosts.length;
    for (let i = 0; i < count; i++) {
      const host = this.#hosts[(i * 10 + this.#sightingOffset) % hosts];
      const k = i * SIGHTING_KEY_WORDS;
      keys[k] = host.macHigh;
      keys[k + 1] = ((host.macLow << 16) | (1 << 8) | 4) >>> 0;
      keys[k + 2] = host.ip;
      keys[k + 6] = host.vlanWord;
    }
    this.#sightingOffset++;
    return {
      count,
      keys,
      firstUs: new Float64Array(count).fill(timeUs),
      lastUs: new Float64Array(count).fill(timeUs),
      seen: new Uint32Array(count).fill(1),
    };
  }
}
