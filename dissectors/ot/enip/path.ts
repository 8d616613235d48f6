/**
 * CIP padded EPATH (ODVA CIP Networks Library Vol 1 Appendix C-1): the request path of an explicit
 * message and the connection path of a Forward Open.
 *
 * ```
 * segment byte: 001 ttt ff  logical  (t: 0 class, 1 instance, 2 member, 3 connection point,
 *                                     4 attribute, 5 special/electronic key, 6 service id;
 *                                     f: 0 8-bit value, 1 pad + 16-bit LE, 2 pad + 32-bit LE)
 *               000 e pppp  port     (e: link address size byte follows; p = 15: 16-bit port id)
 *               010 nnnnn   network  (n: subtype; 0x5x: word count follows)
 *               011 sssss   symbolic (s characters)
 *               100 nnnnn   data     (n: subtype; 0x80 simple data: word count; 0x91 ANSI extended symbol:
 *                                     byte count, characters, pad to even)
 * ```
 * Logix tag names travel as one ANSI extended symbol per member (`Motor.Speed`), array indices
 * as member segments.
 *
 * @module
 */

import { Decoded, decodeText, type Packet } from "../../api.ts";

const PROTOCOL = "CIP";
/** Longest tag name reported (characters). */
const MAX_TAG = 96;

/** What the last path decoded held (-1: absent). Reused: valid until the next decode. */
export const path = {
  classId: -1,
  instance: -1,
  attribute: -1,
  member: -1,
  connectionPoint: -1,
  /** Symbolic segments joined with ".", or "" (allocated only when a path names a tag). */
  tag: "",
};

function resetPath(): void {
  path.classId = -1;
  path.instance = -1;
  path.attribute = -1;
  path.member = -1;
  path.connectionPoint = -1;
  path.tag = "";
}

function addSymbol(bytes: Uint8Array, at: number, length: number): void {
  if (path.tag.length >= MAX_TAG) return;
  const symbol = decodeText(bytes, at, Math.min(length, MAX_TAG - path.tag.length));
  path.tag = path.tag === "" ? symbol : `${path.tag}.${symbol}`;
}

function setLogical(type: number, value: number): void {
  switch (type) {
    case 0:
      path.classId = value;
      break;
    case 1:
      path.instance = value;
      break;
    case 2:
      path.member = value;
      break;
    case 3:
      path.connectionPoint = value;
      break;
    case 4:
      path.attribute = value;
      break;
  }
}

/** Length of the logical segment at `p` (its value is stored in {@linkcode path}), or -1 if impossible. */
function logicalSegment(packet: Packet, p: number, end: number): number {
  const bytes = packet.bytes;
  const segment = bytes[p];
  const type = (segment >> 2) & 0x07;
  const format = segment & 0x03;
  if (type === 5) {
    // Electronic key (C-1.4.2.4): key format 4, then vendor, device type, product code, revision.
    if (end - p < 2 || bytes[p + 1] !== 4) return -1;
    return 10;
  }
  if (format === 0) {
    if (end - p < 2) return -1;
    setLogical(type, bytes[p + 1]);
    return 2;
  }
  if (format === 1) {
    if (end - p < 4) return -1;
    setLogical(type, packet.view.getUint16(p + 2, true));
    return 4;
  }
  if (format === 2) {
    if (end - p < 6) return -1;
    setLogical(type, packet.view.getUint32(p + 2, true));
    return 6;
  }
  return -1;
}

/** Length of the port segment at `p` (C-1.4.1), padded to an even count, or -1 if it cannot fit. */
function portSegment(bytes: Uint8Array, p: number, end: number): number {
  const segment = bytes[p];
  let q = p + 1;
  let link = 1;
  if (segment & 0x10) {
    if (q >= end) return -1;
    link = bytes[q++];
  }
  if ((segment & 0x0f) === 0x0f) q += 2;
  q += link;
  if ((q - p) & 1) q++;
  return q - p;
}

/**
 * Decodes the padded EPATH `at`…`end` into {@linkcode path}.
 *
 * @returns {@linkcode Decoded.DONE}, or {@linkcode Decoded.MALFORMED} (a segment does not fit or
 * has a reserved type)
 */
export function decodePath(packet: Packet, at: number, end: number): number {
  resetPath();
  const bytes = packet.bytes;
  let p = at;
  while (p < end) {
    const segment = bytes[p];
    const kind = segment & 0xe0;
    let length: number;
    if (kind === 0x20) {
      length = logicalSegment(packet, p, end);
    } else if (kind === 0x00) {
      length = portSegment(bytes, p, end);
    } else if (segment === 0x91) {
      // ANSI extended symbol: count, characters, pad byte when the count is odd.
      if (end - p < 2) return packet.fail(PROTOCOL, "path segment does not fit in the path", p);
      const count = bytes[p + 1];
      length = 2 + count + (count & 1);
      if (length <= end - p) addSymbol(bytes, p + 2, count);
    } else if (segment === 0x80 || (kind === 0x40 && (segment & 0x10) !== 0)) {
      // Simple data segment / extended network segment: a word count follows.
      length = end - p < 2 ? -1 : 2 + 2 * bytes[p + 1];
    } else if (kind === 0x40) {
      length = 2;
    } else if (kind === 0x60 && (segment & 0x1f) !== 0) {
      const count = segment & 0x1f;
      length = 1 + count + ((1 + count) & 1);
      if (length <= end - p) addSymbol(bytes, p + 1, count);
    } else {
      return packet.fail(PROTOCOL, "reserved path segment type", p, segment);
    }
    if (length < 0 || length > end - p) {
      return packet.fail(PROTOCOL, "path segment does not fit in the path", p, segment);
    }
    p += length;
  }
  return Decoded.DONE;
}
