/**
 * The flow engine of the benchmark capture: {@linkcode SLOTS} concurrently active flows, each emitting
 * its frames from a header template (see `templates.ts`) with coherent TCP sequence numbers, IPv4 ids
 * and checksums, written straight into the pcap writer's buffer. Nothing is allocated per frame;
 * templates, host picks and views are made once per flow.
 *
 * @module
 */

import {
  ArpOp,
  arpRequest,
  type EthernetHeader,
  finishChecksum,
  type IpHeader,
  MAC_BROADCAST,
  put16,
  put32,
  sumWords,
  TcpFlags,
  writeArpFrame,
} from "../frames.ts";
import type { Rng } from "../rng.ts";
import { dealSlots, type HostTable, Kind, type SlotClasses, SLOTS } from "./population.ts";
import { Filler, FlowTemplates, L4_HEADER, TEMPLATE_STRIDE } from "./templates.ts";

const { ACK, FIN, PSH, SYN } = TcpFlags;
const MAX_FRAME = 1514;
/**
 * Server ports, weighted. Payloads are filler text (TLS application-data records on 443), so only ports
 * whose dissectors take any bytes without a "malformed" verdict are used: syslog is the only such UDP
 * service (DNS, NTP, SNMP… would be malformed), and it is the lower port, so tshark picks it first.
 */
const TCP_PORTS = [443, 443, 443, 443, 443, 80, 80, 8080, 3389, 445];
const UDP_PORTS = [514];

/** Generates the frames of the benchmark flows. */
export class FlowEngine {
  /** Flows started so far. */
  flowsStarted = 0;
  #rng: Rng;
  #hosts: HostTable;
  #tiny: boolean;
  #classes: SlotClasses;
  #t: FlowTemplates = new FlowTemplates(2 * SLOTS);
  #remaining = new Int32Array(SLOTS);
  #step = new Int32Array(SLOTS);
  #tls = new Uint8Array(SLOTS);
  #unacked = new Uint8Array(SLOTS);
  #seq = new Uint32Array(2 * SLOTS);
  #ipId = new Uint16Array(2 * SLOTS);
  #filler = new Filler(MAX_FRAME);

  /**
   * Sets up the slots and the filler payload.
   *
   * @param rng Randomness.
   * @param hosts Host population.
   * @param tiny Every frame 60 bytes (IPv4 only, payload cut to fit).
   */
  constructor(rng: Rng, hosts: HostTable, tiny: boolean) {
    this.#rng = rng;
    this.#hosts = hosts;
    this.#tiny = tiny;
    this.#classes = dealSlots(rng, tiny);
  }

  #start(slot: number): void {
    const rng = this.#rng;
    const hosts = this.#hosts;
    const kind = this.#classes.kind[slot];
    const encap = this.#classes.encap[slot];
    const client = hosts.pickClient(rng, encap);
    const server = hosts.pickServer(rng, client);
    const tags = hosts.tags(client);
    const toServer: EthernetHeader = { dst: hosts.mac(server), src: hosts.mac(client), tags };
    const toClient: EthernetHeader = { dst: hosts.mac(client), src: hosts.mac(server), tags };
    const c = 2 * slot;
    this.flowsStarted++;
    this.#step[slot] = 0;
    if (kind === Kind.ARP) {
      const arena = this.#t.arena;
      writeArpFrame(
        arena,
        c * TEMPLATE_STRIDE,
        { ...toServer, dst: MAC_BROADCAST },
        arpRequest(hosts.mac(client), hosts.ipv4[client], hosts.ipv4[server]),
      );
      const reply = {
        op: ArpOp.REPLY,
        senderMac: hosts.mac(server),
        senderIp: hosts.ipv4[server],
        targetMac: hosts.mac(client),
        targetIp: hosts.ipv4[client],
      };
      writeArpFrame(arena, (c + 1) * TEMPLATE_STRIDE, toClient, reply);
      this.#remaining[slot] = 2;
      return;
    }
    const v6 = this.#classes.v6[slot] === 1;
    const df = kind === Kind.TCP;
    const up: IpHeader = v6
      ? { version: 6, src: hosts.ip6(client), dst: hosts.ip6(server) }
      : { version: 4, src: hosts.ipv4[client], dst: hosts.ipv4[server], ttl: 128, df };
    const down: IpHeader = v6
      ? { version: 6, src: hosts.ip6(server), dst: hosts.ip6(client) }
      : { version: 4, src: hosts.ipv4[server], dst: hosts.ipv4[client], ttl: 64, df };
    this.#ipId[c] = rng.int(0, 0xffff);
    this.#ipId[c + 1] = rng.int(0, 0xffff);
    const clientPort = rng.int(49152, 65535);
    if (kind === Kind.TCP) {
      const port = rng.pick(TCP_PORTS);
      this.#t.tcp(c, toServer, up, ((clientPort << 16) | port) >>> 0, 64240);
      this.#t.tcp(c + 1, toClient, down, ((port << 16) | clientPort) >>> 0, 65535);
      this.#seq[c] = rng.nextU32();
      this.#seq[c + 1] = rng.nextU32();
      this.#tls[slot] = port === 443 ? 1 : 0;
      this.#unacked[slot] = 0;
      const r = rng.next();
      this.#remaining[slot] = r < 0.6 ? rng.int(4, 16) : r < 0.9 ? rng.int(16, 80) : rng.int(80, 600);
    } else if (kind === Kind.UDP) {
      const port = rng.pick(UDP_PORTS);
      this.#t.udp(c, toServer, up, ((clientPort << 16) | port) >>> 0);
      this.#t.udp(c + 1, toClient, down, ((port << 16) | clientPort) >>> 0);
      this.#remaining[slot] = rng.int(2, 10);
    } else {
      const id = rng.int(1, 0xffff);
      this.#t.icmpEcho(c, toServer, up, false, id);
      this.#t.icmpEcho(c + 1, toClient, down, true, id);
      this.#remaining[slot] = 2 * rng.int(1, 5);
    }
  }

  /**
   * Writes the next frame of a random slot at `at` in `out`.
   *
   * @param out Destination (the pcap writer's buffer), with at least 1514 bytes free from `at`.
   * @param at Offset of the frame.
   * @returns Frame length.
   */
  next(out: Uint8Array, at: number): number {
    const rng = this.#rng;
    const slot = Math.floor(rng.next() * SLOTS);
    if (this.#remaining[slot] === 0) this.#start(slot);
    const step = this.#step[slot]++;
    const last = --this.#remaining[slot] === 0;
    const kind = this.#classes.kind[slot];
    if (kind === Kind.ARP) {
      out.set(this.#t.views[2 * slot + step], at);
      return 60;
    }
    if (kind === Kind.TCP) return this.#tcp(out, at, slot, step, last);
    if (kind === Kind.UDP) {
      const tb = 2 * slot + (rng.next() < 0.5 ? 0 : 1);
      const r = rng.next();
      const size = this.#tiny
        ? 60
        : r < 0.5
        ? rng.int(64, 100)
        : r < 0.85
        ? rng.int(100, 300)
        : rng.int(1000, 1472);
      return this.#emit(out, at, tb, Kind.UDP, this.#payloadFor(tb, L4_HEADER.UDP, size), 0, 0);
    }
    const tb = 2 * slot + (step & 1);
    const n = this.#tiny ? this.#payloadFor(tb, L4_HEADER.ICMP, 60) : 56;
    return this.#emit(out, at, tb, Kind.ICMP, n, (step >>> 1) + 1, 0);
  }

  #tcp(out: Uint8Array, at: number, slot: number, step: number, last: boolean): number {
    const rng = this.#rng;
    let fromServer = false;
    let flags: number = ACK;
    let size = 0;
    let mss = 0;
    if (step === 0) {
      flags = SYN;
      mss = this.#tiny ? 0 : this.#classes.v6[slot] ? 1440 : 1460;
    } else if (step === 1) {
      fromServer = true;
      flags = SYN | ACK;
      mss = this.#tiny ? 0 : this.#classes.v6[slot] ? 1440 : 1460;
    } else if (last) {
      flags = FIN | ACK;
    } else if (step > 2) {
      const tiny = this.#tiny;
      const r = rng.next();
      if (this.#unacked[slot] && r < 0.5) {
        this.#unacked[slot] = 0;
      } else if (r < 0.92) {
        fromServer = true;
        this.#unacked[slot] = 1;
        const d = rng.next();
        size = tiny ? 60 : d < 0.52 ? MAX_FRAME : d < 0.6 ? rng.int(1400, MAX_FRAME - 1) : rng.int(200, 1200);
        if (size < MAX_FRAME) flags = PSH | ACK;
      } else {
        this.#unacked[slot] = 0;
        size = tiny ? 60 : rng.int(90, 700);
        flags = PSH | ACK;
      }
    }
    const tb = 2 * slot + (fromServer ? 1 : 0);
    return this.#emit(out, at, tb, Kind.TCP, this.#payloadFor(tb, L4_HEADER.TCP, size), flags, mss);
  }

  /** Payload length that makes a frame of template `tb` `size` bytes long (0 when the headers are longer). */
  #payloadFor(tb: number, l4Header: number, size: number): number {
    return Math.max(0, size - this.#t.l4Offset[tb] - l4Header);
  }

  /**
   * Copies template `tb`, adds `n` bytes of filler payload, patches lengths, ids, TCP fields or the
   * ICMP sequence (`flags` carries it), and the checksums.
   */
  #emit(
    out: Uint8Array,
    at: number,
    tb: number,
    kind: number,
    n: number,
    flags: number,
    mss: number,
  ): number {
    const t = this.#t;
    const l4Header = kind === Kind.TCP ? L4_HEADER.TCP : kind === Kind.UDP ? L4_HEADER.UDP : L4_HEADER.ICMP;
    out.set(t.views[tb], at);
    const l3 = at + t.l3Offset[tb];
    const l4 = at + t.l4Offset[tb];
    let hl: number = l4Header;
    let sum = t.l4Sum[tb];
    if (mss) {
      out[l4 + 12] = 0x60;
      out[l4 + 20] = 2;
      out[l4 + 21] = 4;
      put16(out, l4 + 22, mss);
      sum += 0x1000 + 0x0204 + mss;
      hl = 24;
    }
    const payload = l4 + hl;
    if (n > 0) {
      out.set(this.#filler.views[n], payload);
      if (kind === Kind.TCP && this.#tls[tb >>> 1] && n >= 6) {
        out[payload] = 23;
        out[payload + 1] = 3;
        out[payload + 2] = 3;
        put16(out, payload + 3, n - 5);
        sum += sumWords(out, payload, 6) - this.#filler.sums[6];
      }
      sum += this.#filler.sums[n];
    }
    const l4Length = hl + n;
    const v4 = t.v4[tb] === 1;
    if (v4) {
      const total = l4 - l3 + l4Length;
      const id = this.#ipId[tb]++;
      put16(out, l3 + 2, total);
      put16(out, l3 + 4, id);
      put16(out, l3 + 10, finishChecksum(t.ipSum[tb] + total + id));
    } else {
      put16(out, l3 + 4, l4 - l3 - 40 + l4Length);
    }
    if (kind === Kind.TCP) {
      const seq = this.#seq[tb];
      const ack = flags & ACK ? this.#seq[tb ^ 1] : 0;
      put32(out, l4 + 4, seq);
      put32(out, l4 + 8, ack);
      out[l4 + 13] = flags;
      sum += l4Length + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + flags;
      this.#seq[tb] = (seq + n + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
      put16(out, l4 + 16, finishChecksum(sum));
    } else if (kind === Kind.UDP) {
      put16(out, l4 + 4, l4Length);
      const c = finishChecksum(sum + 2 * l4Length);
      put16(out, l4 + 6, c === 0 ? 0xffff : c);
    } else {
      put16(out, l4 + 6, flags);
      const pseudoLength = v4 ? 0 : l4Length;
      put16(out, l4 + 2, finishChecksum(sum + flags + pseudoLength));
    }
    const length = l4 - at + l4Length;
    if (length >= 60) return length;
    out.fill(0, at + length, at + 60);
    return 60;
  }
}
