/**
 * The dissector plugin API (version {@linkcode PLUGIN_API_VERSION}).
 *
 * Built-in dissectors and drop-in plugins implement the same {@linkcode Dissector} interface. A
 * dissector declares where it attaches ({@linkcode Registration}: dissector tables keyed by link
 * type, EtherType, LLC SAP, SNAP id, IP protocol, TCP/UDP port, plus heuristic probes), decodes
 * from the shared {@linkcode Packet} context, and reports what it learnt through an
 * {@linkcode Observer}. It never calls the next dissector itself: it names the next table and key
 * with `packet.next(...)` and the engine dispatches. Texts read from the payload go through
 * {@linkcode decodeText}, the one byte→text rule of the project.
 *
 * @example A minimal application dissector
 * ```ts
 * import { Decoded, type Dissector } from "./api.ts";
 *
 * export const dissector: Dissector = {
 *   name: "echo",
 *   title: "Echo protocol (RFC 862)",
 *   registration: { tables: { "udp.port": [7], "tcp.port": [7] } },
 *   decode(packet, out) {
 *     if (packet.payloadLength > 0) {
 *       out.event(packet, { type: "echo.request", severity: "info", fields: { bytes: packet.payloadLength } });
 *     }
 *     return Decoded.DONE;
 *   },
 * };
 * ```
 *
 * @module
 */

import type { Packet, TableName } from "./packet.ts";
import type { IdentityAttribute, Severity } from "../model/observation.ts";

export { Decoded, MAX_REASSEMBLY_BYTES, Packet, PacketFlag, Table } from "./packet.ts";
export type { TableName } from "./packet.ts";
export type { IdentityAttribute, Severity } from "../model/observation.ts";
/**
 * The one byte→text rule for protocol strings (UTF-8, U+FFFD for invalid sequences, control
 * characters and `\` as `\xNN`, ends at the first NUL, white space trimmed): use it for every text a
 * dissector reports, so the same bytes give the same value whatever protocol carried them.
 */
export { decodeText, MAX_TEXT_BYTES } from "./text.ts";

/** Version of this API. A plugin built for another major version is refused at load with a clear error. */
export const PLUGIN_API_VERSION = 1;

/** Where a dissector attaches. */
export interface Registration {
  /** Table entries, e.g. `{ "ethertype": [0x0800] }` or `{ "tcp.port": [502] }`. */
  tables?: Partial<Record<TableName, readonly number[]>>;
  /**
   * Payloads on which {@linkcode Dissector.probe} is tried when no port table entry claims a flow
   * (industrial protocols often run on odd ports). The first probe that accepts a flow keeps it.
   */
  heuristics?: readonly ("tcp" | "udp")[];
}

/**
 * Which device an observation is about: the sender or the receiver of the current packet, or an
 * address read from the payload (a DHCP client hardware address, an ARP target…).
 */
export type Subject = "src" | "dst" | { mac?: string; ip?: string };

/** Something that happened in a protocol, e.g. `modbus.write` or `arp.gratuitous`. */
export interface ProtocolEvent {
  /** Dotted lowercase event type, prefixed by the protocol name. */
  type: string;
  /** How much an operator should care. */
  severity: Severity;
  /** Who did it (default `"src"`). */
  about?: Subject;
  /** Details, flat and serializable. */
  fields?: Record<string, string | number | boolean>;
}

/** Where a MAC↔IP binding was learnt from a payload. */
export const SightingSource = {
  /** ARP sender (or gratuitous announcement). */
  ARP: 1,
  /** IPv6 neighbour discovery (NA target + target link-layer address, NS/RS/RA source link-layer address). */
  NDP: 2,
  /** DHCP (client hardware address + assigned address). */
  DHCP: 3,
} as const;

/**
 * What a dissector reports. Each call names the packet it comes from; the engine adds time, VLAN
 * and addresses. Methods may be called any number of times per packet.
 */
export interface Observer {
  /**
   * A MAC↔IP binding read from the payload. The addresses are read from `packet.bytes` at the
   * given offsets (6 bytes of MAC, 4 or 16 bytes of IP): nothing is allocated.
   */
  sighting(packet: Packet, macOffset: number, ipOffset: number, ipVersion: 4 | 6, source: number): void;
  /** An identity attribute about a device. */
  identity(packet: Packet, about: Subject, attribute: IdentityAttribute): void;
  /** A protocol event. */
  event(packet: Packet, event: ProtocolEvent): void;
  /**
   * Something odd but possible (Zeek's "weird"): a stable snake_case id, e.g. `arp_reply_without_request`.
   */
  anomaly(packet: Packet, id: string, severity: Severity): void;
}

/** A dissector: built in, or a drop-in plugin exporting `dissector` (or `dissectors`). */
export interface Dissector {
  /** Short lowercase name, also the prefix of its event types and field keys (`modbus`, `ipv4`). */
  readonly name: string;
  /** Full protocol name for humans. */
  readonly title: string;
  /** API version the dissector was written for (default {@linkcode PLUGIN_API_VERSION}). */
  readonly apiVersion?: number;
  /** Tables and heuristics it attaches to. */
  readonly registration: Registration;
  /**
   * Decodes the layer starting at `packet.offset` (for application dissectors, the payload at
   * `packet.payloadOffset`, `packet.payloadLength` bytes). Returns a {@linkcode Decoded} value.
   * Must not keep references to `packet.bytes` after returning: the buffer is reused.
   */
  decode(packet: Packet, out: Observer): number;
  /**
   * Heuristic check of an application payload: cheap, strict (length, magic, CRC), never throws.
   * Returning true hands the whole flow to this dissector.
   */
  probe?(packet: Packet): boolean;
}
