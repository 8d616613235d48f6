/**
 * DHCP (RFC 2131) and its BOOTP message format (RFC 951), with the options of RFC 2132.
 *
 * ```
 *  0 op | 1 htype | 2 hlen | 3 hops | 4 xid | 8 secs | 10 flags | 12 ciaddr | 16 yiaddr | 20 siaddr
 *  24 giaddr | 28 chaddr (16) | 44 sname (64) | 108 file (128) | 236 magic cookie | 240 options
 * ```
 * Reports, about the client (`chaddr` when it is an Ethernet address, plus its IP when known):
 * the host name (option 12), FQDN (81), vendor class (60), the parameter request list as the
 * classic DHCP fingerprint (55), the client identifier (61) and MUD URL (161); about the server
 * (option 54): its role, and its vendor class when it sends one. Each message type is an event
 * whose fields are what a lease tracker needs; an ACK with an address is a MAC↔IP sighting.
 *
 * @module
 */

import {
  Decoded,
  type Dissector,
  type Observer,
  type Packet,
  SightingSource,
  type Subject,
} from "../../api.ts";
import { macAt } from "../../../model/address.ts";
import { decodeText } from "../../text.ts";
import {
  BootpOp,
  CHADDR_LENGTH,
  Field,
  HTYPE_ETHERNET,
  MAGIC_COOKIE,
  MESSAGE_TYPE_NAMES,
  MessageType,
  Opt,
} from "./_consts.ts";
import {
  byteList,
  DhcpOptions,
  fqdnText,
  hexText,
  ipv4List,
  ipv4Text,
  isZeroIpv4,
  u32,
  walkAll,
} from "./options.ts";

const PROTOCOL = "DHCP";
/** Confidence of what a client says about itself (a DHCP host name is 80, see the API). */
const CLIENT_CONFIDENCE = 80;
/** Confidence of a name the server hands to the client. */
const OFFERED_CONFIDENCE = 60;
/** Confidence that a host answering with OFFER/ACK/NAK is a DHCP server. */
const SERVER_CONFIDENCE = 90;

/** Reused per message: the dissector runs one packet at a time. */
const options = new DhcpOptions();

/** Value of option `code` as text, or undefined when absent (or of the wrong length). */
function text(
  bytes: Uint8Array,
  code: number,
  format: (b: Uint8Array, at: number, n: number) => string | null,
): string | undefined {
  const at = options.offset[code];
  const length = options.length[code];
  return at < 0 || length === 0 ? undefined : format(bytes, at, length) ?? undefined;
}

/** IPv4 value of a single-address option, or undefined. */
function address(bytes: Uint8Array, code: number): string | undefined {
  return options.length[code] === 4 ? ipv4Text(bytes, options.offset[code]) : undefined;
}

/** Adds `value` to `fields` under `key` when it is defined and not empty. */
function put(fields: Record<string, string | number>, key: string, value: string | number | undefined): void {
  if (value !== undefined && value !== "") fields[key] = value;
}

/** What a client says about itself (RFC 2132 sections 3.14, 9.8, 9.13, 9.14; RFC 4702; RFC 8520). */
function clientIdentities(packet: Packet, out: Observer, client: Subject): void {
  const bytes = packet.bytes;
  const report = (key: string, value: string | null | undefined) => {
    if (value) out.identity(packet, client, { key, value, confidence: CLIENT_CONFIDENCE });
  };
  report("hostname", text(bytes, Opt.HOSTNAME, decodeText));
  report("dhcp.fqdn", text(bytes, Opt.CLIENT_FQDN, fqdnText));
  report("dhcp.vendor_class", text(bytes, Opt.VENDOR_CLASS, decodeText));
  report("dhcp.fingerprint", text(bytes, Opt.PARAMETER_LIST, byteList));
  report("dhcp.client_id", text(bytes, Opt.CLIENT_ID, hexText));
  report("dhcp.mud_url", text(bytes, Opt.MUD_URL, decodeText));
  const fqdnAt = options.offset[Opt.CLIENT_FQDN];
  if (fqdnAt >= 0 && fqdnText(bytes, fqdnAt, options.length[Opt.CLIENT_FQDN]) === null) {
    out.anomaly(packet, "bad_client_fqdn", "notice");
  }
}

/**
 * What a server's reply says: the server's role (subject: option 54, with the source MAC when the
 * reply comes straight from it, i.e. from that IP and not through a relay), its vendor class, and
 * the names it offers the client (RFC 2131 section 4.3.1, RFC 4702 section 4).
 */
function serverIdentities(packet: Packet, out: Observer, client: Subject | null, message: number): void {
  const bytes = packet.bytes;
  const serverAt = options.length[Opt.SERVER_ID] === 4 ? options.offset[Opt.SERVER_ID] : -1;
  if (serverAt >= 0 && !isZeroIpv4(bytes, serverAt)) {
    const ip = ipv4Text(bytes, serverAt);
    const direct = packet.ipVersion === 4 && packet.srcMacOffset >= 0 &&
      u32(bytes, packet.srcIpOffset) === u32(bytes, serverAt) && isZeroIpv4(bytes, message + Field.GIADDR);
    const server: Subject = direct ? { mac: macAt(bytes, packet.srcMacOffset), ip } : { ip };
    out.identity(packet, server, { key: "dhcp.server", value: "true", confidence: SERVER_CONFIDENCE });
    const vendor = text(bytes, Opt.VENDOR_CLASS, decodeText);
    if (vendor) out.identity(packet, server, { key: "dhcp.vendor_class", value: vendor, confidence: 60 });
  }
  if (client === null) return;
  const hostname = text(bytes, Opt.HOSTNAME, decodeText);
  if (hostname) {
    out.identity(packet, client, { key: "hostname", value: hostname, confidence: OFFERED_CONFIDENCE });
  }
  const fqdn = text(bytes, Opt.CLIENT_FQDN, fqdnText);
  if (fqdn) out.identity(packet, client, { key: "dhcp.fqdn", value: fqdn, confidence: OFFERED_CONFIDENCE });
}

/** The event of one message type, with flat fields for the lease tracker (RFC 2131 section 3). */
function messageEvent(packet: Packet, out: Observer, client: Subject, message: number, type: number): void {
  const bytes = packet.bytes;
  const fields: Record<string, string | number> = { xid: hexText(bytes, message + Field.XID, 4) };
  if (typeof client === "object") put(fields, "client_mac", client.mac);
  const ciaddr = message + Field.CIADDR;
  const yiaddr = message + Field.YIADDR;
  const giaddr = message + Field.GIADDR;
  if (!isZeroIpv4(bytes, ciaddr)) fields.client_ip = ipv4Text(bytes, ciaddr);
  if (!isZeroIpv4(bytes, yiaddr)) fields.your_ip = ipv4Text(bytes, yiaddr);
  if (!isZeroIpv4(bytes, giaddr)) fields.relay = ipv4Text(bytes, giaddr);
  put(fields, "requested_ip", address(bytes, Opt.REQUESTED_IP));
  put(fields, "server", address(bytes, Opt.SERVER_ID));
  if (options.length[Opt.LEASE_TIME] === 4) fields.lease_seconds = u32(bytes, options.offset[Opt.LEASE_TIME]);
  put(fields, "hostname", text(bytes, Opt.HOSTNAME, decodeText));
  put(fields, "fqdn", text(bytes, Opt.CLIENT_FQDN, fqdnText));
  put(fields, "subnet_mask", address(bytes, Opt.SUBNET_MASK));
  const router = options.length[Opt.ROUTER] >= 4 ? ipv4Text(bytes, options.offset[Opt.ROUTER]) : undefined;
  put(fields, "router", router);
  put(fields, "dns", text(bytes, Opt.DNS, ipv4List));
  put(fields, "vendor_class", text(bytes, Opt.VENDOR_CLASS, decodeText));
  put(fields, "fingerprint", text(bytes, Opt.PARAMETER_LIST, byteList));
  put(fields, "message", text(bytes, Opt.MESSAGE, decodeText));
  out.event(packet, { type: `dhcp.${MESSAGE_TYPE_NAMES[type]}`, severity: "info", about: client, fields });
}

/** Decodes one DHCP/BOOTP message from the UDP payload. */
function decodeDhcp(packet: Packet, out: Observer): number {
  const message = packet.payloadOffset;
  if (message < 0) return Decoded.DONE;
  const end = Math.min(message + packet.payloadLength, packet.end);
  const bytes = packet.bytes;
  if (end - message < Field.OPTIONS) return packet.truncated(PROTOCOL, message);
  const op = bytes[message + Field.OP];
  if (op !== BootpOp.REQUEST && op !== BootpOp.REPLY) {
    return packet.fail(PROTOCOL, "op is neither BOOTREQUEST (1) nor BOOTREPLY (2)", message, op);
  }
  const hlen = bytes[message + Field.HLEN];
  if (hlen > CHADDR_LENGTH) {
    return packet.fail(PROTOCOL, "hardware address length (hlen) above 16", message + Field.HLEN, hlen);
  }
  if (u32(bytes, message + Field.COOKIE) !== MAGIC_COOKIE) {
    return packet.fail(PROTOCOL, "bad magic cookie (RFC 2131 section 3)", message + Field.COOKIE);
  }
  if (!walkAll(bytes, message, end, options)) {
    if (packet.caplen < packet.wirelen) return packet.truncated(PROTOCOL, options.failedAt);
    return packet.fail(
      PROTOCOL,
      "option runs past the end of its area",
      options.failedAt,
      options.failedCode,
    );
  }
  // A snapshot length that cut the options area between two options: what follows is unknown.
  if (!options.sawEnd && packet.caplen < packet.wirelen) return packet.truncated(PROTOCOL, end);

  // The client: its Ethernet address, and its IP once it has one (ciaddr, or yiaddr in an ACK).
  const chaddr = message + Field.CHADDR;
  const ethernet = bytes[message + Field.HTYPE] === HTYPE_ETHERNET && hlen === 6;
  const type = options.length[Opt.MESSAGE_TYPE] === 1 ? bytes[options.offset[Opt.MESSAGE_TYPE]] : 0;
  const ciaddr = message + Field.CIADDR;
  const yiaddr = message + Field.YIADDR;
  let clientIp: string | undefined;
  if (!isZeroIpv4(bytes, ciaddr)) clientIp = ipv4Text(bytes, ciaddr);
  else if (type === MessageType.ACK && !isZeroIpv4(bytes, yiaddr)) clientIp = ipv4Text(bytes, yiaddr);
  let client: Subject | null = null;
  if (ethernet) {
    client = clientIp ? { mac: macAt(bytes, chaddr), ip: clientIp } : { mac: macAt(bytes, chaddr) };
  } else if (clientIp) client = { ip: clientIp };

  if (op === BootpOp.REQUEST) {
    if (client) clientIdentities(packet, out, client);
  } else {
    serverIdentities(packet, out, client, message);
  }
  if (type >= MessageType.DISCOVER && type <= MessageType.INFORM) {
    messageEvent(packet, out, client ?? { ip: undefined }, message, type);
  }
  if (type === MessageType.ACK && ethernet && !isZeroIpv4(bytes, yiaddr)) {
    out.sighting(packet, chaddr, yiaddr, 4, SightingSource.DHCP);
  }
  return Decoded.DONE;
}

/** DHCP dissector: the client (68) and server (67) ports of RFC 2131 section 4.1. */
export const dhcp: Dissector = {
  name: "dhcp",
  title: "Dynamic Host Configuration Protocol",
  registration: { tables: { "udp.port": [67, 68] } },
  decode: decodeDhcp,
};
