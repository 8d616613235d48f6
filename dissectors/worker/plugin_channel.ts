/**
 * The shared-memory channel between a dissector worker and its plugin host (the worker that runs
 * the drop-in plugins, `plugin_host.ts`): one call at a time, synchronous on the dissector side
 * (`Atomics.wait` with the watchdog's timeout), so a plugin's verdict (next table, probe answer,
 * desegmentation) reaches the engine exactly as if the plugin ran in the engine's own realm.
 *
 * A request carries a copy of the frame (the host never sees the shared read buffer) and the
 * packet context's numbers, with offsets made relative to the frame's first byte. The reply carries
 * the verdict, the numbers the plugin may change, and its observations as JSON, which the engine
 * checks before it uses any of it.
 *
 * @module
 */

import type { Packet } from "../packet.ts";

/** Words of the control array. */
export const ChannelWord = {
  /** {@linkcode ChannelState}. */
  STATE: 0,
  /** {@linkcode ChannelOp} of the request. */
  OP: 1,
  /** Index of the plugin dissector called, in the host's list. */
  INDEX: 2,
  /** Bytes of the frame (request) or of the JSON reply. */
  LENGTH: 3,
  /** Verdict: the decode status, 1/0 for a probe, or {@linkcode REPLY_ERROR}. */
  RESULT: 4,
  /** Index of the plugin dissector the host is running, or -1. */
  RUNNING: 5,
  WORDS: 8,
} as const;

/** States of the channel. */
export const ChannelState = {
  /** A host is listening. */
  READY: 0,
  /** A request waits for the host. */
  REQUEST: 1,
  /** The host answered. */
  REPLY: 2,
  /** The host is gone (stuck, out of memory, exited); the data area holds the reason as UTF-8. */
  DEAD: 3,
  /** No host yet (starting or restarting). */
  LOADING: 4,
} as const;

/** Operations. */
export const ChannelOp = { DECODE: 1, PROBE: 2 } as const;

/** Verdict of a call whose plugin threw (the JSON reply says what). */
export const REPLY_ERROR = -1000;

/** Longest frame plus room for the JSON reply (frames joined by TCP desegmentation included). */
export const CHANNEL_DATA_BYTES = 1 << 20;

/** Packet numbers that travel both ways. The first {@linkcode ENGINE_OWNED} only go to the plugin. */
export const PACKET_FIELDS = [
  "start",
  "end",
  "caplen",
  "wirelen",
  "tsSec",
  "tsNsec",
  "timeUs",
  "ifIndex",
  "linkType",
  "appId",
  "flow",
  "flags",
  "offset",
  "nextTable",
  "nextKey",
  "srcMacOffset",
  "dstMacOffset",
  "vlanCount",
  "outerVlan",
  "outerPcp",
  "outerDei",
  "outerTpid",
  "innerVlan",
  "innerPcp",
  "innerDei",
  "ethertype",
  "ipVersion",
  "l3Offset",
  "srcIpOffset",
  "dstIpOffset",
  "ipProto",
  "ttl",
  "l3End",
  "l4Offset",
  "srcPort",
  "dstPort",
  "tcpFlags",
  "tcpSeq",
  "desegmentAt",
  "desegmentLength",
  "reassembled",
  "payloadOffset",
  "payloadLength",
  "problemOffset",
  "problemValue",
] as const satisfies readonly (keyof Packet)[];

/** Fields the plugin cannot change (frame bounds, time, interface, flow). */
export const ENGINE_OWNED = 11;

/** Fields that are offsets into the bytes: relative to the frame's first byte in a request. */
export const OFFSET_FIELDS: ReadonlySet<string> = new Set([
  "start",
  "end",
  "offset",
  "srcMacOffset",
  "dstMacOffset",
  "l3Offset",
  "srcIpOffset",
  "dstIpOffset",
  "l3End",
  "l4Offset",
  "desegmentAt",
  "payloadOffset",
]);

/** The shared memory of one channel (sent to both sides). */
export interface ChannelBuffers {
  control: SharedArrayBuffer;
  fields: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** A channel over its shared memory. */
export class PluginChannel {
  readonly control: Int32Array;
  readonly fields: Float64Array;
  readonly data: Uint8Array;
  readonly buffers: ChannelBuffers;

  constructor(buffers: ChannelBuffers) {
    this.buffers = buffers;
    this.control = new Int32Array(buffers.control);
    this.fields = new Float64Array(buffers.fields);
    this.data = new Uint8Array(buffers.data);
  }

  /** A new channel, with no host yet. */
  static create(): PluginChannel {
    const channel = new PluginChannel({
      control: new SharedArrayBuffer(ChannelWord.WORDS * 4),
      fields: new SharedArrayBuffer(PACKET_FIELDS.length * 8),
      data: new SharedArrayBuffer(CHANNEL_DATA_BYTES),
    });
    Atomics.store(channel.control, ChannelWord.STATE, ChannelState.LOADING);
    Atomics.store(channel.control, ChannelWord.RUNNING, -1);
    return channel;
  }

  /**
   * Marks the host gone with `reason` unless it already is (from REQUEST, READY or LOADING), and
   * wakes the dissector worker waiting for it. True when this call did it.
   */
  kill(reason: string): boolean {
    for (const from of [ChannelState.REQUEST, ChannelState.READY, ChannelState.LOADING]) {
      if (Atomics.compareExchange(this.control, ChannelWord.STATE, from, ChannelState.DEAD) === from) {
        const written = new TextEncoder().encodeInto(reason.slice(0, 2000), this.data).written;
        Atomics.store(this.control, ChannelWord.LENGTH, written);
        Atomics.notify(this.control, ChannelWord.STATE);
        return true;
      }
    }
    return false;
  }

  /** The reason written by {@linkcode kill}. */
  deathReason(): string {
    const length = Atomics.load(this.control, ChannelWord.LENGTH);
    return new TextDecoder().decode(this.data.slice(0, Math.min(length, 4000)));
  }
}
