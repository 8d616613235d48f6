/**
 * Collects the plant's frames out of order (each activity generates its own timeline), then writes
 * them to a pcap file sorted by time. A few thousand frames: allocation per frame is fine here.
 *
 * @module
 */

import {
  type IpFrame,
  type TcpHeader,
  tcpPayloadOffset,
  type UdpHeader,
  udpPayloadOffset,
  writeTcpFrame,
  writeUdpFrame,
} from "../frames.ts";
import type { PcapWriter } from "../pcap_writer.ts";

interface PendingFrame {
  readonly micros: number;
  readonly order: number;
  readonly bytes: Uint8Array;
}

/** Writes a payload at `offset` and returns its length. */
export type PayloadWriter = (buf: Uint8Array, offset: number) => number;

/** Frames of the plant, with their time in seconds from the start of the capture. */
export class FrameSink {
  /** Scratch buffer in which each frame is built before {@linkcode FrameSink.emit}. */
  readonly buf: Uint8Array = new Uint8Array(16384);
  #frames: PendingFrame[] = [];

  /** Number of frames collected. */
  get count(): number {
    return this.#frames.length;
  }

  /**
   * Keeps a copy of the first `length` bytes of {@linkcode FrameSink.buf} as a frame at time `t`.
   *
   * @param t Seconds from the start of the capture.
   * @param length Frame length.
   */
  emit(t: number, length: number): void {
    this.#frames.push({
      micros: Math.round(t * 1e6),
      order: this.#frames.length,
      bytes: this.buf.slice(0, length),
    });
  }

  /**
   * Builds and keeps a UDP frame.
   *
   * @param t Seconds from the start of the capture.
   * @param frame Link and network headers.
   * @param udp Ports.
   * @param payload Writes the payload.
   */
  udp(t: number, frame: IpFrame, udp: UdpHeader, payload: PayloadWriter): void {
    const n = payload(this.buf, udpPayloadOffset(frame));
    this.emit(t, writeUdpFrame(this.buf, 0, frame, udp, n));
  }

  /**
   * Builds and keeps a TCP frame.
   *
   * @param t Seconds from the start of the capture.
   * @param frame Link and network headers.
   * @param tcp TCP header fields.
   * @param payload Payload bytes. Default none.
   */
  tcp(t: number, frame: IpFrame, tcp: TcpHeader, payload?: Uint8Array): void {
    if (payload) this.buf.set(payload, tcpPayloadOffset(frame, tcp));
    this.emit(t, writeTcpFrame(this.buf, 0, frame, tcp, payload?.length ?? 0));
  }

  /**
   * Writes every frame, sorted by time (ties keep their emission order).
   *
   * @param writer Destination.
   * @param startMicros Time of the capture start, microseconds since the epoch.
   */
  writeTo(writer: PcapWriter, startMicros: number): void {
    const sorted = [...this.#frames].sort((a, b) => a.micros - b.micros || a.order - b.order);
    for (const f of sorted) {
      const at = writer.reserve(f.bytes.length);
      writer.buffer.set(f.bytes, at);
      writer.commitAtMicros(startMicros + f.micros, f.bytes.length);
    }
  }
}
