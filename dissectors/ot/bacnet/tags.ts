/**
 * BACnet tagged encoding (ANSI/ASHRAE 135-2020 clause 20.2.1).
 *
 * ```
 * tag octet: tag number (4 bits; 15 = extended, next octet) | class (1 = context specific) | LVT (3 bits)
 * LVT 0–4: length; 5: extended length in the next octet (254: u16 follows, 255: u32 follows);
 * context tags: LVT 6 opening tag, 7 closing tag; application tag 1 (Boolean): LVT is the value
 * ```
 *
 * @module
 */

import { decodeText, type Packet } from "../../api.ts";

/** The tag read last by {@linkcode readTag} (reused). */
export const tag = {
  number: 0,
  context: false,
  opening: false,
  closing: false,
  /** Length of the content (0 for opening/closing tags and application Booleans). */
  length: 0,
  /** Offset of the content. */
  valueAt: 0,
  /** Offset of the next tag. */
  next: 0,
};

/** Application tag numbers (clause 20.2.1.4). */
export const AppTag = {
  UNSIGNED: 2,
  CHARACTER_STRING: 7,
  ENUMERATED: 9,
  OBJECT_IDENTIFIER: 12,
} as const;

/**
 * Reads the tag at `at` into {@linkcode tag}.
 *
 * @returns false when the tag or its content does not fit before `end`
 */
export function readTag(packet: Packet, at: number, end: number): boolean {
  if (at >= end) return false;
  const bytes = packet.bytes;
  const first = bytes[at];
  let p = at + 1;
  let number = first >> 4;
  if (number === 15) {
    if (p >= end) return false;
    number = bytes[p++];
  }
  const context = (first & 0x08) !== 0;
  const lvt = first & 0x07;
  tag.number = number;
  tag.context = context;
  tag.opening = context && lvt === 6;
  tag.closing = context && lvt === 7;
  let length = lvt;
  if (tag.opening || tag.closing || (!context && number === 1)) {
    length = 0;
  } else if (lvt === 5) {
    if (p >= end) return false;
    length = bytes[p++];
    if (length === 254) {
      if (end - p < 2) return false;
      length = packet.view.getUint16(p);
      p += 2;
    } else if (length === 255) {
      if (end - p < 4) return false;
      length = packet.view.getUint32(p);
      p += 4;
    }
  }
  tag.valueAt = p;
  tag.length = length;
  tag.next = p + length;
  return length <= end - p;
}

/** Content of the last tag as an unsigned number (1–4 octets), or -1 when longer or empty. */
export function tagUnsigned(packet: Packet): number {
  const length = tag.length;
  if (length < 1 || length > 4) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + packet.bytes[tag.valueAt + i];
  return value;
}

/** True when the last tag is application tag `number`, or context tag `number` when `context`. */
export function isTag(number: number, context: boolean): boolean {
  return tag.number === number && tag.context === context && !tag.opening && !tag.closing;
}

/**
 * Offset after the closing tag that matches the opening tag just read (nested constructed values
 * skipped), or -1 when it is missing before `end`.
 */
export function skipConstructed(packet: Packet, end: number): number {
  const number = tag.number;
  let depth = 0;
  let p = tag.next;
  while (p < end) {
    if (!readTag(packet, p, end)) return -1;
    if (tag.opening) depth++;
    else if (tag.closing) {
      if (depth === 0) return tag.number === number ? tag.next : -1;
      depth--;
    }
    p = tag.next;
  }
  return -1;
}

/**
 * A character string's content (ASHRAE 135 20.2.9: charset 0, UTF-8 / ANSI X3.4) by the project's
 * text rule; "" for another charset (UCS-2, ISO 8859-1, DBCS, JIS are not decoded).
 */
export function tagText(packet: Packet): string {
  if (tag.length < 1 || packet.bytes[tag.valueAt] !== 0) return "";
  return decodeText(packet.bytes, tag.valueAt + 1, tag.length - 1);
}

/** True when the last tag is the opening tag of context `number`. */
export function opens(number: number): boolean {
  return tag.opening && tag.number === number;
}

/** True when the last tag is the closing tag of context `number`. */
export function closes(number: number): boolean {
  return tag.closing && tag.number === number;
}
