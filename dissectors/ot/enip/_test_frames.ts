/**
 * Test helpers: EtherNet/IP encapsulations and CIP messages built by hand (ODVA Vol 1 and 2
 * layouts, little endian). Not part of the product.
 *
 * @module
 */

/** Bytes of `parts` (numbers are single bytes) concatenated. */
export function bytesOf(...parts: (number | readonly number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

/** A little-endian u16. */
export function le16(value: number): number[] {
  return [value & 0xff, value >> 8];
}

/** A little-endian u32. */
export function le32(value: number): number[] {
  return [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff];
}

/** An encapsulation: 24-byte header (session 0x11020100, status 0) then `data`. */
export function encapsulation(command: number, data: Uint8Array, status = 0): Uint8Array {
  return bytesOf(
    le16(command),
    le16(data.length),
    le32(0x11020100),
    le32(status),
    new Array(8).fill(0),
    le32(0),
    data,
  );
}

/** SendRRData carrying `cip` in an unconnected data item (null address item first). */
export function sendRRData(cip: Uint8Array): Uint8Array {
  return encapsulation(
    0x6f,
    bytesOf(le32(0), le16(0), le16(2), le16(0), le16(0), le16(0xb2), le16(cip.length), cip),
  );
}

/** SendUnitData carrying `cip` in a connected data item (sequence count 7). */
export function sendUnitData(cip: Uint8Array): Uint8Array {
  return encapsulation(
    0x70,
    bytesOf(
      le32(0),
      le16(0),
      le16(2),
      le16(0xa1),
      le16(4),
      le32(0x7c0b01),
      le16(0xb1),
      le16(cip.length + 2),
      le16(7),
      cip,
    ),
  );
}

/** A CIP request: service, path size in words, `path` (even length), `data`. */
export function cipRequest(
  service: number,
  path: readonly number[],
  data: readonly number[] = [],
): Uint8Array {
  return bytesOf(service, path.length >> 1, path, data);
}

/**
 * Data of a Forward Open request (CIP Vol 1 3-5.5.2): priority/tick 0x0a, 14 ticks, connection ids
 * 0 / 1, serial 0x1234, originator vendor 1 and serial 0x12345678, multiplier 1, both RPIs 40 ms with
 * parameters 0x43f4, transport class 3 (0xa3), then `pathWords` and `path` as given (a fuzz base may
 * state a size its path does not have).
 */
export function forwardOpenData(pathWords: number, path: readonly number[]): number[] {
  return [
    0x0a,
    0x0e,
    ...le32(0),
    ...le32(1),
    ...le16(0x1234),
    ...le16(1),
    ...le32(0x12345678),
    1,
    0,
    0,
    0,
    ...le32(40_000),
    ...le16(0x43f4),
    ...le32(40_000),
    ...le16(0x43f4),
    0xa3,
    pathWords,
    ...path,
  ];
}

/** Logical path class / instance / attribute (8-bit segments). */
export function logical(classId: number, instance: number, attribute = -1): number[] {
  const path = [0x20, classId, 0x24, instance];
  if (attribute >= 0) path.push(0x30, attribute);
  return path;
}

/** ANSI extended symbol segments, one per dotted member of `tag`. */
export function symbolic(tag: string): number[] {
  const path: number[] = [];
  for (const member of tag.split(".")) {
    path.push(0x91, member.length, ...Array.from(member, (c) => c.charCodeAt(0)));
    if (member.length & 1) path.push(0);
  }
  return path;
}

/** A ListIdentity reply for `name` (vendor, device type, product code, revision, serial given). */
export function listIdentityReply(
  vendor: number,
  deviceType: number,
  productCode: number,
  major: number,
  minor: number,
  serial: number,
  name: string,
): Uint8Array {
  const text = Array.from(name, (c) => c.charCodeAt(0));
  const item = bytesOf(
    le16(1),
    [0, 2, 0xaf, 0x12, 10, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0],
    le16(vendor),
    le16(deviceType),
    le16(productCode),
    major,
    minor,
    le16(0x30),
    le32(serial),
    text.length,
    text,
    3,
  );
  return encapsulation(0x63, bytesOf(le16(1), le16(0x0c), le16(item.length), item));
}
