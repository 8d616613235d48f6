/**
 * Cisco Discovery Protocol, versions 1 and 2: SNAP OUI 00-00-0C, protocol id 0x2000.
 *
 * CDP has no public standard; the layout below is Cisco's ("Cisco Discovery Protocol", in the
 * Cisco IOS configuration guides and the CDP frame format of the Cisco developer documentation):
 *
 * ```
 * +---------+-----+----------+  TLVs: +------------+--------------------------+-------+
 * | version | TTL | checksum |        | type (2 B) | length (2 B, header incl.) | value |
 * +---------+-----+----------+        +------------+--------------------------+-------+
 * ```
 * TLVs read: 0x01 Device ID, 0x02 Addresses, 0x03 Port ID, 0x04 Capabilities, 0x05 Software
 * version, 0x06 Platform, 0x09 VTP management domain, 0x0A Native VLAN, 0x16 Management addresses.
 * An address entry is a protocol type (1 NLPID, 2 IEEE 802.2), a protocol length and value (NLPID
 * 0xCC for IPv4, 802.2 SNAP `AA AA 03 00 00 00 86 DD` for IPv6), a 2-byte address length and the address.
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { ipAt } from "../../../model/address.ts";
import { bitNames, firstLineAt, hexAt } from "./_text.ts";
import { decodeText } from "../../text.ts";

const PROTOCOL = "CDP";

/** SNAP table key of CDP: OUI 00-00-0C, protocol id 0x2000. */
export const CDP_SNAP_KEY = 0x0c * 0x10000 + 0x2000;

/** CDP TLV types read by this dissector. */
export const CdpTlv = {
  DEVICE_ID: 0x01,
  ADDRESSES: 0x02,
  PORT_ID: 0x03,
  CAPABILITIES: 0x04,
  SOFTWARE_VERSION: 0x05,
  PLATFORM: 0x06,
  VTP_DOMAIN: 0x09,
  NATIVE_VLAN: 0x0a,
  MANAGEMENT_ADDRESSES: 0x16,
} as const;

/** Capability names by bit, as reported in `cdp.capabilities`. */
export const CDP_CAPABILITY_NAMES: readonly string[] = [
  "router",
  "transparent-bridge",
  "source-route-bridge",
  "switch",
  "host",
  "igmp",
  "repeater",
  "phone",
  "remotely-managed",
  "cvta",
  "two-port-mac-relay",
];

const MAX_ADDRESSES = 16;
const IPV6_SNAP = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd];

interface CdpFacts {
  deviceId: string;
  portId: string;
  platform: string;
  software: string;
  /** First line of the software version (the version itself; the rest is copyright and build). */
  softwareFirstLine: string;
  capabilities: number;
  addresses: string[];
  nativeVlan: number;
  vtpDomain: string;
}

/** One address entry at `at`; returns the offset after it, or -1 when it does not fit before `end`. */
function readAddress(bytes: Uint8Array, at: number, end: number, addresses: string[]): number {
  if (end - at < 2) return -1;
  const protocolType = bytes[at];
  const protocolLength = bytes[at + 1];
  const protocol = at + 2;
  if (end - protocol < protocolLength + 2) return -1;
  const lengthAt = protocol + protocolLength;
  const addressLength = (bytes[lengthAt] << 8) | bytes[lengthAt + 1];
  const address = lengthAt + 2;
  if (end - address < addressLength) return -1;
  let text: string;
  if (protocolType === 1 && protocolLength === 1 && bytes[protocol] === 0xcc && addressLength === 4) {
    text = ipAt(bytes, address, 4);
  } else if (
    protocolType === 2 && protocolLength === 8 && addressLength === 16 &&
    IPV6_SNAP.every((byte, i) => bytes[protocol + i] === byte)
  ) {
    text = ipAt(bytes, address, 6);
  } else {
    text = `${protocolType}/${hexAt(bytes, protocol, protocolLength)}:${
      hexAt(bytes, address, addressLength)
    }`;
  }
  if (addresses.length < MAX_ADDRESSES && !addresses.includes(text)) addresses.push(text);
  return address + addressLength;
}

/** Addresses TLV: a 4-byte count, then the entries; returns a problem or "". */
function readAddresses(packet: Packet, at: number, end: number, addresses: string[]): string {
  if (end - at < 4) return "addresses TLV shorter than its count";
  const count = packet.view.getUint32(at);
  let next = at + 4;
  // Each entry takes at least 4 bytes or ends the walk: bounded by the TLV length whatever `count` says.
  for (let i = 0; i < count; i++) {
    if (next >= end) return "addresses TLV holds fewer entries than its count";
    next = readAddress(packet.bytes, next, end, addresses);
    if (next < 0) return "address entry runs past the end of its TLV";
  }
  return "";
}

/** Reads one TLV value (`at` to `end`); returns a problem (constant text) or "". */
function readTlv(packet: Packet, facts: CdpFacts, type: number, at: number, end: number): string {
  const bytes = packet.bytes;
  const length = end - at;
  switch (type) {
    case CdpTlv.DEVICE_ID:
      facts.deviceId = decodeText(bytes, at, length);
      return "";
    case CdpTlv.PORT_ID:
      facts.portId = decodeText(bytes, at, length);
      return "";
    case CdpTlv.PLATFORM:
      facts.platform = decodeText(bytes, at, length);
      return "";
    case CdpTlv.SOFTWARE_VERSION:
      facts.software = decodeText(bytes, at, length);
      facts.softwareFirstLine = firstLineAt(bytes, at, length);
      return "";
    case CdpTlv.VTP_DOMAIN:
      facts.vtpDomain = decodeText(bytes, at, length);
      return "";
    case CdpTlv.CAPABILITIES:
      if (length !== 4) return "capabilities TLV length is not 8";
      facts.capabilities = packet.view.getUint32(at);
      return "";
    case CdpTlv.NATIVE_VLAN:
      if (length !== 2) return "native VLAN TLV length is not 6";
      facts.nativeVlan = packet.view.getUint16(at);
      return "";
    case CdpTlv.ADDRESSES:
    case CdpTlv.MANAGEMENT_ADDRESSES:
      return readAddresses(packet, at, end, facts.addresses);
  }
  return "";
}

function report(packet: Packet, out: Observer, facts: CdpFacts): void {
  const say = (key: string, value: string, confidence: number) => {
    if (value !== "") out.identity(packet, "src", { key, value, confidence });
  };
  say("hostname", facts.deviceId, 80);
  say("cdp.device_id", facts.deviceId, 90);
  say("cdp.port_id", facts.portId, 90);
  say("cdp.platform", facts.platform, 85);
  say("cdp.software_version", facts.softwareFirstLine, 85);
  say("cdp.software_version_full", facts.software, 85);
  say("software", facts.softwareFirstLine, 60);
  if (facts.capabilities >= 0) {
    say("cdp.capabilities", bitNames(facts.capabilities, CDP_CAPABILITY_NAMES), 80);
  }
  if (facts.addresses.length > 0) say("cdp.addresses", facts.addresses.join(","), 80);
  if (facts.nativeVlan >= 0) say("cdp.native_vlan", String(facts.nativeVlan), 80);
  say("cdp.vtp_domain", facts.vtpDomain, 80);
  if (facts.deviceId === "" && facts.portId === "") return;
  const fields: Record<string, string | number> = { device_id: facts.deviceId, port_id: facts.portId };
  if (facts.platform !== "") fields.platform = facts.platform;
  if (facts.addresses.length > 0) fields.address = facts.addresses[0];
  if (facts.nativeVlan >= 0) fields.native_vlan = facts.nativeVlan;
  out.event(packet, { type: "cdp.neighbour", severity: "info", fields });
}

/**
 * End of the CDP PDU. The IEEE 802.3 length field just before the LLC/SNAP header (IEEE 802.3-2018
 * 3.2.6) bounds it, so Ethernet padding or a captured FCS after the last TLV is not read as a TLV.
 */
function pduEnd(packet: Packet): number {
  const bytes = packet.bytes;
  const llc = packet.offset - 8;
  if (llc - 2 < packet.start || bytes[llc] !== 0xaa || bytes[llc + 1] !== 0xaa || bytes[llc + 2] !== 0x03) {
    return packet.end;
  }
  const length = (bytes[llc - 2] << 8) | bytes[llc - 1];
  return length >= 8 && length <= 1500 ? Math.min(packet.end, llc + length) : packet.end;
}

/** CDP dissector, reached from the SNAP table. */
export const cdp: Dissector = {
  name: "cdp",
  title: "Cisco Discovery Protocol",
  registration: { tables: { snap: [CDP_SNAP_KEY] } },
  decode(packet, out) {
    const start = packet.offset;
    const end = pduEnd(packet);
    if (end - start < 4) return packet.truncated(PROTOCOL, start);
    const version = packet.bytes[start];
    if (version !== 1 && version !== 2) return packet.fail(PROTOCOL, "version is not 1 or 2", start, version);
    const facts: CdpFacts = {
      deviceId: "",
      portId: "",
      platform: "",
      software: "",
      softwareFirstLine: "",
      capabilities: -1,
      addresses: [],
      nativeVlan: -1,
      vtpDomain: "",
    };
    let result: number = Decoded.DONE;
    let at = start + 4;
    // Each TLV is at least 4 bytes long (checked), so the walk ends within the frame's length.
    while (at < end) {
      if (end - at < 4) {
        result = packet.truncated(PROTOCOL, at);
        break;
      }
      const type = packet.view.getUint16(at);
      const length = packet.view.getUint16(at + 2);
      if (length < 4) {
        result = packet.fail(PROTOCOL, "TLV length is less than 4", at, length);
        break;
      }
      if (length > end - at) {
        result = packet.caplen < packet.wirelen
          ? packet.truncated(PROTOCOL, at)
          : packet.fail(PROTOCOL, "TLV runs past the end of the frame", at, length);
        break;
      }
      const problem = readTlv(packet, facts, type, at + 4, at + length);
      if (problem !== "") {
        result = packet.fail(PROTOCOL, problem, at, length);
        break;
      }
      at += length;
    }
    report(packet, out, facts);
    return result;
  },
};
