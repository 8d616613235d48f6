/**
 * Test helpers: BACnet/IP and BACnet/Ethernet frames built by hand (ASHRAE 135 Annex J, clauses 6,
 * 7 and 20). Not part of the product.
 *
 * @module
 */

import { frame, toServer } from "../_testing.ts";

/** A BVLL message: type 0x81, `fn`, length, then `body`. */
export function bvll(fn: number, body: readonly number[]): Uint8Array {
  const length = body.length + 4;
  return Uint8Array.from([0x81, fn, length >> 8, length & 0xff, ...body]);
}

/** An NPDU without routing information. */
export function npdu(apdu: readonly number[], expectingReply = false): number[] {
  return [1, expectingReply ? 0x04 : 0x00, ...apdu];
}

/** An object identifier's four bytes (10 bits type, 22 bits instance). */
export function objectId(type: number, instance: number): number[] {
  const value = ((type << 22) | instance) >>> 0;
  return [value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** A confirmed request APDU (invoke id 1, max APDU 1476). */
export function confirmedRequest(service: number, data: readonly number[]): number[] {
  return [0x00, 0x05, 0x01, service, ...data];
}

/** An I-Am APDU for device `instance` of `vendor` (max APDU 480, segmented-both). */
export function iAm(instance: number, vendor: number): number[] {
  return [0x10, 0x00, 0xc4, ...objectId(8, instance), 0x22, 0x01, 0xe0, 0x91, 0x00, 0x21, vendor];
}

/** A BACnet/IP datagram from the test client to the test server's port 47808. */
export function bacnetIp(body: Uint8Array): Uint8Array {
  return frame("udp", toServer(47808), body);
}

/** A BACnet/Ethernet frame (802.3 + LLC 0x82 0x82 0x03) from 02:00:00:00:00:33, padded to 60 bytes with 0x7e. */
export function bacnetEthernet(npduBytes: readonly number[]): Uint8Array {
  const length = 3 + npduBytes.length;
  const bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0x33, length >> 8, length & 0xff];
  bytes.push(0x82, 0x82, 0x03, ...npduBytes);
  while (bytes.length < 60) bytes.push(0x7e);
  return Uint8Array.from(bytes);
}
