/**
 * Constants of DHCP (RFC 2131) and its options (RFC 2132 and later option RFCs).
 *
 * @module
 */

/** BOOTP op codes (RFC 2131 section 2, RFC 951). */
export const BootpOp = {
  /** Sent by a client (or by a relay agent on its behalf). */
  REQUEST: 1,
  /** Sent by a server. */
  REPLY: 2,
} as const;

/** Offsets of the fixed BOOTP/DHCP header fields from the start of the message (RFC 2131 section 2). */
export const Field = {
  OP: 0,
  HTYPE: 1,
  HLEN: 2,
  HOPS: 3,
  XID: 4,
  SECS: 8,
  FLAGS: 10,
  CIADDR: 12,
  YIADDR: 16,
  SIADDR: 20,
  GIADDR: 24,
  CHADDR: 28,
  SNAME: 44,
  FILE: 108,
  /** The magic cookie 99.130.83.99 (RFC 2131 section 3, RFC 1497). */
  COOKIE: 236,
  OPTIONS: 240,
} as const;

/** Length of the `sname` field (RFC 2131 section 2). */
export const SNAME_LENGTH = 64;
/** Length of the `file` field (RFC 2131 section 2). */
export const FILE_LENGTH = 128;
/** Length of the `chaddr` field: `hlen` above it is impossible. */
export const CHADDR_LENGTH = 16;
/** The magic cookie as a 32-bit word (RFC 2131 section 3). */
export const MAGIC_COOKIE = 0x63825363;
/** Hardware type of Ethernet (RFC 1700 "ARP hardware types"). */
export const HTYPE_ETHERNET = 1;

/** Option codes read by the dissector (RFC 2132 unless noted). */
export const Opt = {
  /** Section 3.1: pad. */
  PAD: 0,
  /** Section 3.3. */
  SUBNET_MASK: 1,
  /** Section 3.5: list of routers, in order of preference. */
  ROUTER: 3,
  /** Section 3.8: list of DNS servers. */
  DNS: 6,
  /** Section 3.14. */
  HOSTNAME: 12,
  /** Section 9.1. */
  REQUESTED_IP: 50,
  /** Section 9.2. */
  LEASE_TIME: 51,
  /** Section 9.3: option overload (1 file, 2 sname, 3 both). */
  OVERLOAD: 52,
  /** Section 9.6. */
  MESSAGE_TYPE: 53,
  /** Section 9.7. */
  SERVER_ID: 54,
  /** Section 9.8: parameter request list (the "DHCP fingerprint"). */
  PARAMETER_LIST: 55,
  /** Section 9.9: error message (NAK, DECLINE). */
  MESSAGE: 56,
  /** Section 9.13. */
  VENDOR_CLASS: 60,
  /** Section 9.14. */
  CLIENT_ID: 61,
  /** RFC 4702: client FQDN. */
  CLIENT_FQDN: 81,
  /** RFC 8520 section 10: MUD URL. */
  MUD_URL: 161,
  /** Section 3.2: end. */
  END: 255,
} as const;

/** Option 52 values (RFC 2132 section 9.3). */
export const Overload = { FILE: 1, SNAME: 2, BOTH: 3 } as const;

/** Option 81 flag E: the name is in canonical wire format (RFC 4702 section 2.1). */
export const FQDN_FLAG_E = 0x04;

/**
 * Names of the DHCP message types (option 53, RFC 2131 section 3.1 and RFC 2132 section 9.6), by
 * value; the event type is `dhcp.` + name. Later types (RFC 4388 LEASEQUERY…) have no event.
 */
export const MESSAGE_TYPE_NAMES: readonly string[] = [
  "",
  "discover",
  "offer",
  "request",
  "decline",
  "ack",
  "nak",
  "release",
  "inform",
];

/** DHCP message type values (option 53). */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
