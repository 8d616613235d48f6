/**
 * DHCP messages (RFC 2131 §2 format, options from RFC 2132), written as a UDP payload:
 * ```
 *  0 op (1 request, 2 reply) | 1 htype=1 | 2 hlen=6 | 3 hops | 4 xid | 8 secs | 10 flags (0x8000 broadcast)
 *  12 ciaddr | 16 yiaddr | 20 siaddr | 24 giaddr | 28 chaddr (16) | 44 sname (64) | 108 file (128)
 *  236 magic cookie 99.130.83.99 | 240 options: 53 type, 61 client id, 50 requested IP, 54 server id,
 *  51 lease time, 1 subnet mask, 3 router, 6 DNS servers, 12 host name, 60 vendor class, 55 parameter
 *  request list, 255 end; zero padding up to the 300-byte BOOTP minimum (RFC 1542 §3.1.1)
 * ```
 *
 * @module
 */

import { put16, put32, putIpv4, putText } from "./addr.ts";

/** DHCP message types (option 53, RFC 2132 §9.6). */
export const DhcpType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

/** Client port 68 and server port 67 (RFC 2131 §4.1). */
export const DhcpPort = { CLIENT: 68, SERVER: 67 } as const;

/** Fields and options of one DHCP message; absent options are not written. */
export interface DhcpMessage {
  /** Option 53 message type, see {@linkcode DhcpType}. */
  readonly type: number;
  /** Transaction id. */
  readonly xid: number;
  /** Client hardware address. */
  readonly clientMac: Uint8Array;
  /** Seconds since the client began. Default 0. */
  readonly secs?: number;
  /** Broadcast flag. Default false. */
  readonly broadcast?: boolean;
  /** Client IP address. Default 0. */
  readonly ciaddr?: number;
  /** "Your" (offered) IP address. Default 0. */
  readonly yiaddr?: number;
  /** Next server IP address. Default 0. */
  readonly siaddr?: number;
  /** Option 61 client identifier as type 1 + MAC. Default true for client messages. */
  readonly clientId?: boolean;
  /** Option 50 requested IP address. */
  readonly requestedIp?: number;
  /** Option 54 server identifier. */
  readonly serverId?: number;
  /** Option 51 lease time in seconds. */
  readonly leaseSeconds?: number;
  /** Option 1 subnet mask. */
  readonly subnetMask?: number;
  /** Option 3 routers. */
  readonly routers?: readonly number[];
  /** Option 6 DNS servers. */
  readonly dnsServers?: readonly number[];
  /** Option 12 host name: ASCII text, or the option's bytes as they are. */
  readonly hostname?: string | Uint8Array;
  /** Option 60 vendor class identifier. */
  readonly vendorClass?: string;
  /** Option 55 parameter request list. */
  readonly parameterRequestList?: readonly number[];
}

function isReply(type: number): boolean {
  return type === DhcpType.OFFER || type === DhcpType.ACK || type === DhcpType.NAK;
}

function addressOption(buf: Uint8Array, at: number, code: number, addresses: readonly number[]): number {
  buf[at] = code;
  buf[at + 1] = 4 * addresses.length;
  addresses.forEach((a, i) => putIpv4(buf, at + 2 + 4 * i, a));
  return at + 2 + 4 * addresses.length;
}

/**
 * Writes a DHCP message.
 *
 * @param buf Destination.
 * @param offset First byte (the UDP payload).
 * @param msg Message fields and options.
 * @returns Message length (≥ 300).
 */
export function writeDhcp(buf: Uint8Array, offset: number, msg: DhcpMessage): number {
  const reply = isReply(msg.type);
  buf.fill(0, offset, offset + 240);
  buf[offset] = reply ? 2 : 1;
  buf[offset + 1] = 1;
  buf[offset + 2] = 6;
  put32(buf, offset + 4, msg.xid);
  put16(buf, offset + 8, msg.secs ?? 0);
  put16(buf, offset + 10, msg.broadcast ? 0x8000 : 0);
  putIpv4(buf, offset + 12, msg.ciaddr ?? 0);
  putIpv4(buf, offset + 16, msg.yiaddr ?? 0);
  putIpv4(buf, offset + 20, msg.siaddr ?? 0);
  buf.set(msg.clientMac, offset + 28);
  put32(buf, offset + 236, 0x63825363);
  let at = offset + 240;
  buf[at] = 53;
  buf[at + 1] = 1;
  buf[at + 2] = msg.type;
  at += 3;
  if (msg.clientId ?? !reply) {
    buf[at] = 61;
    buf[at + 1] = 7;
    buf[at + 2] = 1;
    buf.set(msg.clientMac, at + 3);
    at += 9;
  }
  if (msg.requestedIp !== undefined) at = addressOption(buf, at, 50, [msg.requestedIp]);
  if (msg.serverId !== undefined) at = addressOption(buf, at, 54, [msg.serverId]);
  if (msg.leaseSeconds !== undefined) {
    buf[at] = 51;
    buf[at + 1] = 4;
    put32(buf, at + 2, msg.leaseSeconds);
    at += 6;
  }
  if (msg.subnetMask !== undefined) at = addressOption(buf, at, 1, [msg.subnetMask]);
  if (msg.routers) at = addressOption(buf, at, 3, msg.routers);
  if (msg.dnsServers) at = addressOption(buf, at, 6, msg.dnsServers);
  for (const [code, text] of [[12, msg.hostname], [60, msg.vendorClass]] as const) {
    if (text === undefined) continue;
    buf[at] = code;
    buf[at + 1] = text.length;
    at += 2 + putText(buf, at + 2, text);
  }
  if (msg.parameterRequestList) {
    buf[at] = 55;
    buf[at + 1] = msg.parameterRequestList.length;
    buf.set(msg.parameterRequestList, at + 2);
    at += 2 + msg.parameterRequestList.length;
  }
  buf[at++] = 255;
  const length = Math.max(300, at - offset);
  buf.fill(0, at, offset + length);
  return length;
}
