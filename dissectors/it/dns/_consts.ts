/**
 * Constants shared by the name-service dissectors: ports, record types, limits and the constant
 * problem strings given to `packet.fail(...)`.
 *
 * @module
 */

/** Well-known ports (RFC 1035 4.2, RFC 6762 3, RFC 4795 2.5, RFC 1002 4.2.1). */
export const Port = { DNS: 53, NBNS: 137, MDNS: 5353, LLMNR: 5355 } as const;

/** Resource record types used here (RFC 1035 3.2.2, RFC 3596 2.1, RFC 2782, RFC 1002 4.2.1.3). */
export const RrType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  /** NetBIOS general name service record (RFC 1002 4.2.1.3). */
  NB: 0x20,
  /** NetBIOS node status record (RFC 1002 4.2.1.3). */
  NBSTAT: 0x21,
} as const;

/** Mnemonics of common query types, for event fields; others become `TYPE<n>` (RFC 3597 5). */
const TYPE_NAMES: Record<number, string> = {
  1: "A",
  2: "NS",
  5: "CNAME",
  6: "SOA",
  12: "PTR",
  15: "MX",
  16: "TXT",
  28: "AAAA",
  33: "SRV",
  35: "NAPTR",
  41: "OPT",
  47: "NSEC",
  64: "SVCB",
  65: "HTTPS",
  255: "ANY",
};

/** Mnemonic of a record type, e.g. `AAAA`, or `TYPE<n>` for unknown ones (RFC 3597 section 5). */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

/** Longest label (RFC 1035 2.3.4). */
export const MAX_LABEL = 63;
/** Longest name on the wire, length octets included (RFC 1035 2.3.4). */
export const MAX_NAME = 255;
/** Most compression pointers followed in one name (each must also point further back). */
export const MAX_JUMPS = 32;
/** Fixed part of the DNS header (RFC 1035 4.1.1). */
export const HEADER_LENGTH = 12;

/** Identity confidences (0–100) per source. */
export const Confidence = { DNS: 50, LLMNR: 50, MDNS: 70, MDNS_PROBE: 60, NBNS: 60 } as const;

/** Constant problem strings (no values: the offending value goes in `packet.problemValue`). */
export const Problem = {
  POINTER_LOOP: "compression pointer loops",
  POINTER_FORWARD: "compression pointer points forward",
  LABEL_PAST_END: "label runs past the end",
  LABEL_TYPE: "reserved label type (length 64-191)",
  NAME_TOO_LONG: "name longer than 255 bytes",
  QUESTION_PAST_END: "question runs past the end",
  RDATA_PAST_END: "record data runs past the end",
  ADDRESS_LENGTH: "address record has the wrong length",
  HEADER: "message shorter than the 12-byte header",
  TCP_LENGTH: "length prefix is shorter than a DNS header",
  NETBIOS_ENCODING: "name is not first-level encoded",
  NBSTAT_LENGTH: "node status names run past the record data",
} as const;
