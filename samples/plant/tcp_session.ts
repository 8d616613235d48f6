/**
 * A TCP connection of the plant whose sequence and acknowledgment numbers stay coherent, so that
 * tshark's TCP analysis reports no lost, out-of-order or unseen segments.
 *
 * @module
 */

import { type IpFrame, TcpFlags, type TcpHeader, type VlanTag } from "../frames.ts";
import type { Rng } from "../rng.ts";
import type { FrameSink } from "./sink.ts";

/** One side of a connection. */
export interface TcpSide {
  /** MAC that frames of this side carry: the host's, or the router's for an off-subnet host. */
  readonly mac: Uint8Array;
  /** IPv4 address. */
  readonly ip: number;
  /** TCP port. */
  readonly port: number;
  /** IPv4 TTL of its packets as seen at the capture point. */
  readonly ttl: number;
  /** Advertised window. */
  readonly window: number;
}

const MSS = 1460;
const { ACK, FIN, PSH, SYN } = TcpFlags;

/** A client/server TCP connection writing its frames into a {@linkcode FrameSink}. */
export class TcpSession {
  #sink: FrameSink;
  #sides: [TcpSide, TcpSide];
  #tags: readonly VlanTag[] | undefined;
  #next: [number, number];
  #ipId: [number, number];

  /**
   * Prepares a connection; nothing is emitted until {@linkcode TcpSession.open}.
   *
   * @param sink Where frames go.
   * @param rng Source of initial sequence numbers and IP ids.
   * @param client Side that opens the connection.
   * @param server Side that accepts it.
   * @param tags VLAN tags of every frame. Default untagged.
   */
  constructor(sink: FrameSink, rng: Rng, client: TcpSide, server: TcpSide, tags?: readonly VlanTag[]) {
    this.#sink = sink;
    this.#sides = [client, server];
    this.#tags = tags;
    this.#next = [rng.nextU32(), rng.nextU32()];
    this.#ipId = [rng.int(0, 0xffff), rng.int(0, 0xffff)];
  }

  #emit(t: number, from: 0 | 1, flags: number, payload?: Uint8Array, mss?: number): void {
    const me = this.#sides[from];
    const peer = this.#sides[1 - from];
    const frame: IpFrame = {
      eth: { dst: peer.mac, src: me.mac, tags: this.#tags },
      ip: { version: 4, src: me.ip, dst: peer.ip, ttl: me.ttl, id: this.#ipId[from], df: true },
    };
    this.#ipId[from] = (this.#ipId[from] + 1) & 0xffff;
    const tcp: TcpHeader = {
      srcPort: me.port,
      dstPort: peer.port,
      seq: this.#next[from],
      ack: flags & ACK ? this.#next[1 - from] : 0,
      flags,
      window: me.window,
      mss,
    };
    this.#sink.tcp(t, frame, tcp, payload);
    const consumed = (payload?.length ?? 0) + (flags & (SYN | FIN) ? 1 : 0);
    this.#next[from] = (this.#next[from] + consumed) >>> 0;
  }

  /**
   * Three-way handshake with the MSS option on both SYNs.
   *
   * @param t Time of the SYN.
   * @param rtt Round-trip time seen from the capture point.
   * @returns Time of the last frame.
   */
  open(t: number, rtt: number): number {
    this.#emit(t, 0, SYN, undefined, MSS);
    this.#emit(t + rtt, 1, SYN | ACK, undefined, MSS);
    this.#emit(t + rtt + 0.00005, 0, ACK);
    return t + rtt + 0.00005;
  }

  /**
   * Sends `payload` in MSS-sized segments (PSH on the last), the receiver acknowledging every second
   * segment. The last segment is left for the caller to acknowledge (by data or {@linkcode TcpSession.ack}).
   *
   * @param t Time of the first segment.
   * @param fromClient Direction.
   * @param payload Bytes to send.
   * @param gap Seconds between segments.
   * @returns Time of the last frame.
   */
  send(t: number, fromClient: boolean, payload: Uint8Array, gap = 0.0002): number {
    const from = fromClient ? 0 : 1;
    for (let at = 0, n = 1; at < payload.length; at += MSS, n++) {
      const end = Math.min(payload.length, at + MSS);
      this.#emit(t, from, end === payload.length ? PSH | ACK : ACK, payload.subarray(at, end));
      if (n % 2 === 0 && end < payload.length) {
        t += gap / 2;
        this.#emit(t, from === 0 ? 1 : 0, ACK);
      }
      if (end < payload.length) t += gap;
    }
    return t;
  }

  /**
   * Pure acknowledgment.
   *
   * @param t Time.
   * @param fromClient Direction.
   */
  ack(t: number, fromClient: boolean): void {
    this.#emit(t, fromClient ? 0 : 1, ACK);
  }

  /**
   * Orderly release: client FIN, server FIN, client ACK.
   *
   * @param t Time of the client's FIN.
   * @param rtt Round-trip time.
   * @returns Time of the last frame.
   */
  close(t: number, rtt: number): number {
    this.#emit(t, 0, FIN | ACK);
    this.#emit(t + rtt, 1, FIN | ACK);
    this.#emit(t + rtt + 0.00005, 0, ACK);
    return t + rtt + 0.00005;
  }
}
