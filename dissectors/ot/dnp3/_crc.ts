/**
 * The DNP3 link-layer CRC (IEEE 1815-2012 §9.2.4.1.2 and Annex E): CRC-16 with polynomial 0x3D65,
 * processed least significant bit first (reflected polynomial 0xA6BC), initial value 0, complemented,
 * sent low byte first after the header and after each block of up to 16 user data octets.
 *
 * @module
 */

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa6bc : crc >>> 1;
  TABLE[i] = crc;
}

/** CRC of `length` bytes at `at` (caller checked the bounds). */
export function dnpCrc(bytes: Uint8Array, at: number, length: number): number {
  let crc = 0;
  for (let i = at; i < at + length; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]) & 0xff];
  return ~crc & 0xffff;
}
