/**
 * A batch of captured packets sharing one backing buffer.
 *
 * Capture sources (file readers, the live libpcap loop) fill a batch in place and hand it to the
 * dissection engine, which decodes every packet straight from `bytes` at `offset[i]`: no packet is
 * copied into its own object. A batch is reused: its contents are valid only until the source is
 * asked for the next one.
 *
 * @module
 */

/**
 * Link-layer header types (LINKTYPE_* values of the tcpdump.org registry) that NetSentinel decodes,
 * and the 802.11 ones it only names (no dissector: their frames are counted as unsupported).
 */
export const LinkType = {
  /** LINKTYPE_NULL: BSD loopback, a 4-byte address family in the writer's host byte order. */
  NULL: 0,
  /** LINKTYPE_ETHERNET: IEEE 802.3 / Ethernet II. */
  ETHERNET: 1,
  /** LINKTYPE_RAW: raw IPv4 or IPv6, version from the first nibble. */
  RAW: 101,
  /** LINKTYPE_LOOP: OpenBSD loopback, a 4-byte address family in network byte order. */
  LOOP: 108,
  /** LINKTYPE_LINUX_SLL: Linux "cooked" capture v1 (16-byte header). */
  LINUX_SLL: 113,
  /** LINKTYPE_IEEE802_11: 802.11 frames without a radio header (not supported: named only). */
  IEEE802_11: 105,
  /** LINKTYPE_PPI: Per-Packet Information header before 802.11 frames (not supported: named only). */
  PPI: 192,
  /** LINKTYPE_IEEE802_11_RADIOTAP: radiotap header before 802.11 frames (not supported: named only). */
  IEEE802_11_RADIOTAP: 127,
  /** LINKTYPE_IPV4: raw IPv4. */
  IPV4: 228,
  /** LINKTYPE_IPV6: raw IPv6. */
  IPV6: 229,
  /** LINKTYPE_LINUX_SLL2: Linux "cooked" capture v2 (20-byte header). */
  LINUX_SLL2: 276,
} as const;

/** DLT_RAW as libpcap on Linux numbers it (DLT values are platform-specific; LINKTYPE values are not). */
const DLT_RAW_LINUX = 12;

/**
 * The LINKTYPE_* value of what `pcap_datalink` returns: libpcap maps a file's or an interface's
 * link type to its DLT_* value, which differs from the LINKTYPE_* value for raw IP only among the
 * types NetSentinel decodes (a tun or WireGuard interface, a LINKTYPE_RAW file).
 */
export function linkTypeOfDlt(dlt: number): number {
  return dlt === DLT_RAW_LINUX ? LinkType.RAW : dlt;
}

/** Human-readable name of a link type, for messages and reports. */
export function linkTypeName(linkType: number): string {
  switch (linkType) {
    case LinkType.NULL:
      return "BSD loopback (NULL)";
    case LinkType.LOOP:
      return "OpenBSD loopback (LOOP)";
    case LinkType.IEEE802_11:
      return "802.11";
    case LinkType.IEEE802_11_RADIOTAP:
      return "802.11 radiotap";
    case LinkType.PPI:
      return "802.11 PPI";
    case LinkType.ETHERNET:
      return "Ethernet";
    case LinkType.RAW:
      return "raw IP";
    case LinkType.LINUX_SLL:
      return "Linux cooked (SLL)";
    case LinkType.IPV4:
      return "raw IPv4";
    case LinkType.IPV6:
      return "raw IPv6";
    case LinkType.LINUX_SLL2:
      return "Linux cooked v2 (SLL2)";
    default:
      return `link type ${linkType}`;
  }
}

/**
 * Packets of one read, as parallel typed arrays over a shared byte buffer.
 *
 * Entry `i` (0 ≤ i < `count`) is the frame `bytes[offset[i] .. offset[i] + caplen[i])`.
 */
export class PacketBatch {
  /** Backing bytes; frames sit at `offset[i]`. May be replaced by a source when it grows its buffer. */
  bytes: Uint8Array;
  /** Number of valid entries. */
  count = 0;
  /** Start of each frame in `bytes`. */
  readonly offset: Uint32Array;
  /** Captured length of each frame (what is in `bytes`). */
  readonly caplen: Uint32Array;
  /** Original length of each frame on the wire (≥ caplen). */
  readonly wirelen: Uint32Array;
  /** Timestamp, whole seconds since the Unix epoch. */
  readonly tsSec: Float64Array;
  /** Timestamp, nanoseconds within the second (0 ≤ tsNsec < 1e9). */
  readonly tsNsec: Uint32Array;
  /** Link type of each frame (pcapng interfaces can differ). */
  readonly linkType: Uint16Array;
  /** Capture interface index of each frame (pcapng interface id; 0 for pcap and single-interface live capture). */
  readonly ifIndex: Uint16Array;

  /**
   * @param capacity the maximum number of packets in one batch
   * @param bytes the initial backing buffer
   */
  constructor(capacity: number, bytes: Uint8Array = new Uint8Array(0)) {
    this.bytes = bytes;
    this.offset = new Uint32Array(capacity);
    this.caplen = new Uint32Array(capacity);
    this.wirelen = new Uint32Array(capacity);
    this.tsSec = new Float64Array(capacity);
    this.tsNsec = new Uint32Array(capacity);
    this.linkType = new Uint16Array(capacity);
    this.ifIndex = new Uint16Array(capacity);
  }

  /** How many packets the batch can hold. */
  get capacity(): number {
    return this.offset.length;
  }
}

/** Description of one capture interface (a pcap file has one, a pcapng file one per IDB). */
export interface CaptureInterface {
  /** Index as used in {@linkcode PacketBatch.ifIndex}. */
  index: number;
  /** Name when the file or the system gives one (pcapng `if_name`, live interface name). */
  name?: string;
  /** LINKTYPE_* value. */
  linkType: number;
  /** Snapshot length (0 = unlimited). */
  snaplen: number;
}
