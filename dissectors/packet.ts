/**
 * The packet context: one reused object that every dissector reads and fills.
 *
 * Like gopacket's `DecodingLayer`, NetSentinel never builds a tree of layer objects per packet.
 * The engine points one {@linkcode Packet} at the next frame of a batch ({@linkcode Packet.reset}),
 * and each dissector reads bytes at offsets into the shared buffer and records what it found in
 * numeric fields (MAC and IP addresses stay in the buffer; the context keeps their offsets).
 * Values of a layer that was not decoded are `-1` (offsets, VLAN ids, ports) or `0` (counts, flags).
 *
 * @module
 */

/** Tables a dissector can hand the rest of the packet to (see {@linkcode Packet.next}). */
export const Table = {
  /** No further table: the dissector consumed the packet. */
  NONE: 0,
  /** Link types (LINKTYPE_* values): the frame's first dissector. */
  LINK: 1,
  /** EtherType values (Ethernet II, 802.1Q inner type, SNAP with OUI 0, SLL protocol). */
  ETHERTYPE: 2,
  /** IEEE 802.2 LLC DSAP values. */
  LLC_SAP: 3,
  /** SNAP: key is `(OUI << 16) | protocol id`, e.g. Cisco CDP is `0x00000c2000`. */
  SNAP: 4,
  /** IP protocol numbers (IPv4 protocol, IPv6 final next header). */
  IP_PROTO: 5,
  /** TCP ports: payload of a TCP segment. */
  TCP_PORT: 6,
  /** UDP ports: payload of a UDP datagram. */
  UDP_PORT: 7,
} as const;

/** Name of each table, as used in plugin registrations and in the configuration. */
export type TableName = "link" | "ethertype" | "llc.sap" | "snap" | "ip.proto" | "tcp.port" | "udp.port";

/** Outcome of {@linkcode Dissector.decode} (see STYLE.md, "Four outcomes"; a throw is the fourth). */
export const Decoded = {
  /** Decoded; `packet.nextTable` / `packet.nextKey` / `packet.offset` say what follows. */
  NEXT: 0,
  /** Decoded; nothing follows (or what follows is not for a dissector table). */
  DONE: 1,
  /** The capture ended before the layer did (snaplen): not an error of the packet. */
  TRUNCATED: 2,
  /** Impossible values: the packet is malformed; `packet.problem` says why. */
  MALFORMED: 3,
} as const;

/** Bits of {@linkcode Packet.flags}. */
export const PacketFlag = {
  TRUNCATED: 1,
  MALFORMED: 2,
  /** IPv4/IPv6 fragment other than the first: no L4 header. */
  FRAGMENT: 4,
  /** ARP announcement (sender IP = target IP) or unsolicited ARP reply. */
  GRATUITOUS_ARP: 8,
  /** A dissector raised an anomaly for this packet. */
  ANOMALY: 16,
} as const;

/** Most bytes one PDU may gather over TCP segments before the engine gives it up. */
export const MAX_REASSEMBLY_BYTES = 65_536 + 1024;

/**
 * Decoding state of the current frame. Fields are plain numbers so the object keeps one shape
 * and decoding allocates nothing.
 */
export class Packet {
  /** Bytes of the batch holding the frame (shared; read only). */
  bytes: Uint8Array = new Uint8Array(0);
  /** DataView over the same memory as {@linkcode bytes}. */
  view: DataView = new DataView(new ArrayBuffer(0));
  /** Offset of the frame's first byte in `bytes`. */
  start = 0;
  /** Offset one past the last captured byte of the frame. */
  end = 0;
  /** Captured length. */
  caplen = 0;
  /** Length on the wire. */
  wirelen = 0;
  /** Timestamp: seconds since the Unix epoch. */
  tsSec = 0;
  /** Timestamp: nanoseconds within the second. */
  tsNsec = 0;
  /** Timestamp in microseconds since the epoch (set by the engine). */
  timeUs = 0;
  /** Capture interface index. */
  ifIndex = 0;
  /** Link type (LINKTYPE_*). */
  linkType = 0;
  /** {@linkcode PacketFlag} bits. */
  flags = 0;

  /** Cursor: offset in `bytes` where the next dissector starts. */
  offset = 0;
  /** Table for the next dissector ({@linkcode Table}). */
  nextTable = 0;
  /** Key in that table. */
  nextKey = 0;

  /** Offset of the source MAC in `bytes`, or -1 when the link layer has none (raw IP). */
  srcMacOffset = -1;
  /** Offset of the destination MAC in `bytes`, or -1 (raw IP, Linux cooked capture). */
  dstMacOffset = -1;
  /** Number of 802.1Q/802.1ad tags seen (0, 1, 2 or more). */
  vlanCount = 0;
  /** Outermost VLAN id (the only one when there is a single tag), or -1. */
  outerVlan = -1;
  /** Outermost tag's priority code point. */
  outerPcp = 0;
  /** Outermost tag's drop eligible indicator (0 or 1). */
  outerDei = 0;
  /** Outermost tag's TPID (0x8100, 0x88a8, 0x9100). */
  outerTpid = 0;
  /** Inner VLAN id of a QinQ frame (second tag), or -1. */
  innerVlan = -1;
  /** Inner tag's priority code point. */
  innerPcp = 0;
  /** Inner tag's drop eligible indicator. */
  innerDei = 0;
  /** The EtherType that carried the network layer (after all tags), or -1 for 802.3 frames without SNAP. */
  ethertype = -1;

  /** 4 or 6 when an IP header was decoded, else 0. */
  ipVersion = 0;
  /** Offset of the IP header. */
  l3Offset = -1;
  /** Offset of the source address (4 or 16 bytes). */
  srcIpOffset = -1;
  /** Offset of the destination address. */
  dstIpOffset = -1;
  /** IP protocol / final IPv6 next header, or -1. */
  ipProto = -1;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl = 0;
  /** Offset one past the IP datagram's last captured byte (Ethernet padding excluded). */
  l3End = -1;

  /** Offset of the TCP/UDP/ICMP header, or -1. */
  l4Offset = -1;
  /** TCP/UDP source port, or -1. */
  srcPort = -1;
  /** TCP/UDP destination port, or -1. */
  dstPort = -1;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80). */
  tcpFlags = 0;
  /** TCP sequence number (of the first payload byte), or 0. */
  tcpSeq = 0;
  /**
   * Where the PDU a TCP dissector could not finish starts (set by {@linkcode desegment}), or -1.
   * The engine keeps the payload from there and hands it back, joined with the flow's next segment.
   */
  desegmentAt = -1;
  /** Whole length of that PDU from {@linkcode desegmentAt} when known, else 0. */
  desegmentLength = 0;
  /**
   * Bytes of the payload that came from earlier segments of the flow (joined by the engine in
   * front of this segment's own payload), or 0.
   */
  reassembled = 0;
  /** Offset of the application payload, or -1. */
  payloadOffset = -1;
  /** Captured length of the application payload. */
  payloadLength = 0;

  /** Application protocol id chosen for this packet's flow (see the registry), 0 if none. */
  appId = 0;
  /**
   * Index of the packet's flow in the sensor's flow table while an application dissector runs
   * (valid until the next flush), else -1. Observations of one flow share a subject, so the
   * collector recognises a repeated one without rebuilding its keys.
   */
  flow = -1;

  /** Constant text naming the protocol that failed (set with {@linkcode fail}). */
  problemProtocol = "";
  /** Constant text of the problem (no values: those are in problemOffset/problemValue). */
  problem = "";
  /** Offset (from the frame start) where the problem was found. */
  problemOffset = 0;
  /** The offending value, when there is one, or -1. */
  problemValue = -1;

  /** Points the context at a new frame and forgets everything decoded before. */
  reset(bytes: Uint8Array, view: DataView, start: number, caplen: number): void {
    this.bytes = bytes;
    this.view = view;
    this.start = start;
    this.end = start + caplen;
    this.caplen = caplen;
    this.flags = 0;
    this.offset = start;
    this.nextTable = Table.NONE;
    this.nextKey = 0;
    this.srcMacOffset = -1;
    this.dstMacOffset = -1;
    this.vlanCount = 0;
    this.outerVlan = -1;
    this.outerPcp = 0;
    this.outerDei = 0;
    this.outerTpid = 0;
    this.innerVlan = -1;
    this.innerPcp = 0;
    this.innerDei = 0;
    this.ethertype = -1;
    this.ipVersion = 0;
    this.l3Offset = -1;
    this.srcIpOffset = -1;
    this.dstIpOffset = -1;
    this.ipProto = -1;
    this.ttl = 0;
    this.l3End = -1;
    this.l4Offset = -1;
    this.srcPort = -1;
    this.dstPort = -1;
    this.tcpFlags = 0;
    this.tcpSeq = 0;
    this.desegmentAt = -1;
    this.desegmentLength = 0;
    this.reassembled = 0;
    this.payloadOffset = -1;
    this.payloadLength = 0;
    this.appId = 0;
    this.flow = -1;
    this.problemProtocol = "";
    this.problem = "";
    this.problemOffset = 0;
    this.problemValue = -1;
  }

  /** Bytes captured from `offset` to the end of the frame. */
  remaining(offset: number): number {
    return this.end - offset;
  }

  /**
   * Hands the rest of the packet to another table.
   *
   * @returns {@linkcode Decoded.NEXT}, so a dissector can `return packet.next(...)`
   */
  next(table: number, key: number, offset: number): number {
    this.nextTable = table;
    this.nextKey = key;
    this.offset = offset;
    return Decoded.NEXT;
  }

  /**
   * Reports a header that does not fit in the captured bytes. When the capture cut the frame
   * (caplen < wirelen, snaplen) this is truncation, not an error of the sender; when the whole
   * frame was captured, the frame itself is too short: malformed (Wireshark draws the same line
   * between "packet size limited during capture" and "Malformed Packet").
   *
   * @returns {@linkcode Decoded.TRUNCATED} or {@linkcode Decoded.MALFORMED}
   */
  truncated(protocol: string, offset: number): number {
    if (this.caplen < this.wirelen) {
      this.flags |= PacketFlag.TRUNCATED;
      this.problemProtocol = protocol;
      this.problem = "capture ends inside the header (snapshot length)";
      this.problemOffset = offset - this.start;
      this.problemValue = -1;
      return Decoded.TRUNCATED;
    }
    return this.fail(protocol, "frame ends inside the header", offset);
  }

  /**
   * Marks the packet malformed. `problem` must be a constant string (no per-packet formatting);
   * the offending value goes in `value` and is formatted only when the problem is reported.
   *
   * @returns {@linkcode Decoded.MALFORMED}
   */
  fail(protocol: string, problem: string, offset: number, value = -1): number {
    this.flags |= PacketFlag.MALFORMED;
    this.problemProtocol = protocol;
    this.problem = problem;
    this.problemOffset = offset - this.start;
    this.problemValue = value;
    return Decoded.MALFORMED;
  }

  /**
   * Asks for the rest of a PDU that continues in the flow's next TCP segments: the engine keeps the
   * payload from `at` (an offset inside this TCP payload) to its end, and when the flow's next
   * segments arrive in sequence, calls the dissector once more with a payload made of the kept
   * bytes followed by those segments' payloads (Wireshark's "desegmentation"). With `length` (the
   * PDU's whole length from `at`, when its header says it), the engine gathers that many bytes
   * before calling the dissector again; without, it calls it with each further segment. The
   * dissector decodes what it can before `at` first. Nothing is kept for a frame cut by the
   * snapshot length, and a PDU longer than {@linkcode MAX_REASSEMBLY_BYTES} or whose next segment
   * is missing is given up (counted in `tcp_reassembly_dropped`).
   *
   * @returns {@linkcode Decoded.DONE}
   */
  desegment(at: number, length = 0): number {
    if (at >= this.payloadOffset && at < this.payloadOffset + this.payloadLength) {
      this.desegmentAt = at;
      this.desegmentLength = length;
    }
    return Decoded.DONE;
  }

  /** The recorded problem as one sentence, e.g. for a sample of malformed packets. */
  describeProblem(): string {
    const value = this.problemValue >= 0 ? ` (value ${this.problemValue})` : "";
    return `Cannot decode ${this.problemProtocol} at offset ${this.problemOffset}: ${this.problem}${value}`;
  }
}
