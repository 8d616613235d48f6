/**
 * Frame builders of the synthetic capture generators: each writes one protocol layer or one whole
 * frame into a caller-provided `Uint8Array` at an offset and returns the number of bytes written.
 * No builder allocates per frame; checksums are computed in place.
 *
 * Frames are built "payload first": write the application payload at the offset returned by
 * `tcpPayloadOffset` / `udpPayloadOffset`, then call `writeTcpFrame` / `writeUdpFrame` with its length.
 *
 * @example A DNS query in a UDP/IPv4 frame
 * ```ts
 * import { parseIpv4, parseMac, udpPayloadOffset, writeDnsQuery, writeUdpFrame } from "./frames.ts";
 * const buf = new Uint8Array(1514);
 * const frame = {
 *   eth: { dst: parseMac("00:14:22:00:00:01"), src: parseMac("3c:d9:2b:00:00:02") },
 *   ip: { version: 4 as const, src: parseIpv4("10.0.0.2"), dst: parseIpv4("10.0.0.1") },
 * };
 * const n = writeDnsQuery(buf, udpPayloadOffset(frame), { id: 1, name: "example.com" });
 * const length = writeUdpFrame(buf, 0, frame, { srcPort: 50000, dstPort: 53 }, n);
 * if (length !== 14 + 20 + 8 + n) throw new Error("unexpected length");
 * ```
 *
 * @module
 */

export * from "./frames/addr.ts";
export * from "./frames/checksum.ts";
export * from "./frames/ethernet.ts";
export * from "./frames/ip.ts";
export * from "./frames/transport.ts";
export * from "./frames/icmp.ts";
export * from "./frames/lldp.ts";
export * from "./frames/cdp.ts";
export * from "./frames/stp.ts";
export * from "./frames/dhcp.ts";
export * from "./frames/dns.ts";
export * from "./frames/modbus.ts";
export * from "./frames/tls.ts";
