/**
 * p0f-style TCP SYN signatures: how a host opens (SYN) or accepts (SYN-ACK) a connection says which
 * TCP/IP stack it runs. Each stack has its own initial TTL, window, MSS and order of options
 * (RFC 9293 3.1, RFC 7323 for window scale and timestamps, RFC 2018 for SACK-permitted).
 *
 * The signature is reported as identity `tcp.syn_signature` (or `tcp.synack_signature`) about the
 * sender, as text `ittl:window:mss:scale:layout`, e.g. `64:64240:1460:7:M,S,T,N,W`, where
 * `ittl` is the initial TTL guessed from the one seen (the next of 32, 64, 128, 255 at or above
 * it), `mss`/`scale` are `-` when absent, and `layout` names the options in order: `M` MSS, `N` NOP,
 * `W` window scale, `S` SACK permitted, `T` timestamps, `E` end of list, `?k` any other kind `k`.
 * The aggregator maps signatures to OS families (`aggregator/identify/os_hints.ts`).
 *
 * SYNs are frequent (every connection), so a host's signature is reported on its first SYN and then
 * every 256th: a fixed table of recent (host, signature) hashes per engine (keyed by its observer)
 * keeps the hot path free of allocation. Counting SYNs rather than time keeps a live capture and
 * the same traffic read from a file identical.
 *
 * @module
 */

import type { Observer, Packet } from "../api.ts";

const SLOTS = 4096;
/** A (host, signature) already reported is reported again every this many SYNs. */
const REPORT_EVERY = 256;

/** Recently reported (host, signature) hashes of one engine (keyed by its observer), with SYN counts. */
interface Recent {
  keys: Uint32Array;
  seen: Uint32Array;
}

const recentByObserver = new WeakMap<Observer, Recent>();

function recentOf(out: Observer): Recent {
  let recent = recentByObserver.get(out);
  if (recent === undefined) {
    recent = { keys: new Uint32Array(SLOTS * 2), seen: new Uint32Array(SLOTS) };
    recentByObserver.set(out, recent);
  }
  return recent;
}

/** Initial TTL of a stack from the TTL seen after some hops. */
export function initialTtl(ttl: number): number {
  if (ttl <= 32) return 32;
  if (ttl <= 64) return 64;
  if (ttl <= 128) return 128;
  return 255;
}

function mix(hash: number, value: number): number {
  return Math.imul(hash ^ value, 0x01000193) >>> 0;
}

/** Hash of the sender's address (IP when there is one, else MAC). */
function senderHash(packet: Packet): number {
  const bytes = packet.bytes;
  let hash = 0x811c9dc5;
  if (packet.ipVersion !== 0) {
    const length = packet.ipVersion === 4 ? 4 : 16;
    for (let i = 0; i < length; i++) hash = mix(hash, bytes[packet.srcIpOffset + i]);
  } else if (packet.srcMacOffset >= 0) {
    for (let i = 0; i < 6; i++) hash = mix(hash, bytes[packet.srcMacOffset + i]);
  }
  return hash;
}

/** Hash of the signature's parts (options bytes walked the same way as {@linkcode formatSignature}). */
function signatureHash(packet: Packet, at: number, headerLength: number, synAck: boolean): number {
  const bytes = packet.bytes;
  let hash = mix(mix(0x811c9dc5, initialTtl(packet.ttl)), packet.view.getUint16(at + 14));
  hash = mix(hash, synAck ? 1 : 0);
  // Option kinds, lengths and the MSS/scale values, bounded by the header.
  for (let i = at + 20; i < at + headerLength; i++) hash = mix(hash, bytes[i]);
  return hash;
}

/** The signature text (allocates: called only when the signature is reported). */
function formatSignature(packet: Packet, at: number, headerLength: number): string {
  const bytes = packet.bytes;
  const view = packet.view;
  let mss = "-";
  let scale = "-";
  const layout: string[] = [];
  const end = at + headerLength;
  let i = at + 20;
  while (i < end) {
    const kind = bytes[i];
    if (kind === 0) {
      layout.push("E");
      i++;
      continue;
    }
    if (kind === 1) {
      layout.push("N");
      i++;
      continue;
    }
    if (i + 1 >= end) break;
    const length = bytes[i + 1];
    if (length < 2 || i + length > end) {
      layout.push(`?${kind}`);
      break;
    }
    if (kind === 2 && length === 4) {
      mss = String(view.getUint16(i + 2));
      layout.push("M");
    } else if (kind === 3 && length === 3) {
      scale = String(bytes[i + 2]);
      layout.push("W");
    } else if (kind === 4) layout.push("S");
    else if (kind === 8) layout.push("T");
    else layout.push(`?${kind}`);
    i += length;
  }
  return `${initialTtl(packet.ttl)}:${view.getUint16(at + 14)}:${mss}:${scale}:${layout.join(",")}`;
}

/**
 * Reports the signature of a SYN or SYN-ACK whose TCP header (`headerLength` bytes, all captured)
 * starts at `at`: on a host's first SYN with that signature, then every 256th.
 */
export function reportSynSignature(packet: Packet, out: Observer, at: number, headerLength: number): void {
  const synAck = (packet.tcpFlags & 0x10) !== 0;
  const sender = senderHash(packet);
  const signature = signatureHash(packet, at, headerLength, synAck);
  const { keys, seen } = recentOf(out);
  const slot = (sender ^ Math.imul(signature, 31)) & (SLOTS - 1);
  if (keys[slot * 2] === sender && keys[slot * 2 + 1] === signature) {
    if (++seen[slot] % REPORT_EVERY !== 0) return;
  } else {
    keys[slot * 2] = sender;
    keys[slot * 2 + 1] = signature;
    seen[slot] = 0;
  }
  out.identity(packet, "src", {
    key: synAck ? "tcp.synack_signature" : "tcp.syn_signature",
    value: formatSignature(packet, at, headerLength),
    confidence: 40,
  });
}
