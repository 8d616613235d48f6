/**
 * The Identity object's instance attributes 1–7 (ODVA CIP Networks Library Vol 1 §5-2.2), as a
 * ListIdentity reply item carries them (Vol 2 §2-4.3) and as a Get_Attributes_All reply of class 1
 * returns them:
 *
 * ```
 * vendor id (u16 LE) | device type (u16) | product code (u16) | revision major, minor |
 * status (u16) | serial number (u32) | product name (SHORT_STRING: length, characters) | [state]…
 * ```
 * A Get_Attributes_All reply names no class, so the request is remembered (a small table keyed by
 * session and sender context, or session and connected sequence count) to recognise its reply.
 * A request routed by an Unconnected Send to a backplane slot is about the module in that slot:
 * `child/enip.module/<port>,<slot>/<key>` of the address that answered.
 *
 * @module
 */

import { decodeText, type Observer, type Packet } from "../../api.ts";
import { DEVICE_TYPES, VENDORS } from "./_consts.ts";

/** Bytes before the product name. */
export const IDENTITY_FIXED = 15;

/**
 * Reports the identity attributes at `at`…`end` about the sender (under `prefix`).
 *
 * @returns false when they do not fit (nothing is reported)
 */
export function reportIdentity(
  packet: Packet,
  out: Observer,
  at: number,
  end: number,
  prefix: string,
): boolean {
  if (end - at < IDENTITY_FIXED) return false;
  const bytes = packet.bytes;
  const view = packet.view;
  const nameLength = bytes[at + 14];
  if (end - at < IDENTITY_FIXED + nameLength) return false;
  const say = (key: string, value: string) => {
    out.identity(packet, "src", { key: prefix + key, value, confidence: 90 });
  };
  const vendor = view.getUint16(at, true);
  const deviceType = view.getUint16(at + 2, true);
  say("ot.vendor_id", String(vendor));
  const vendorName = VENDORS[vendor];
  if (vendorName) say("ot.vendor", vendorName);
  say("ot.device_type", DEVICE_TYPES[deviceType] ?? String(deviceType));
  say("enip.device_type_id", String(deviceType));
  say("ot.product_code", String(view.getUint16(at + 4, true)));
  say("ot.firmware", `${bytes[at + 6]}.${String(bytes[at + 7]).padStart(2, "0")}`);
  say("ot.serial", `0x${view.getUint32(at + 10, true).toString(16).padStart(8, "0")}`);
  const product = decodeText(bytes, at + IDENTITY_FIXED, nameLength);
  if (product !== "") say("ot.product", product);
  return true;
}

const SLOTS = 64;
const pendingKey = new Uint32Array(SLOTS);
const pendingUsed = new Uint8Array(SLOTS);
const pendingPort = new Int16Array(SLOTS);
const pendingLink = new Int16Array(SLOTS);

/** Key of the current message's exchange (set by the encapsulation layer before CIP is decoded). */
export const exchange = { key: 0 };

/** Remembers that the current exchange asked the Identity object for all its attributes. */
export function rememberIdentityRequest(port: number, link: number): void {
  const slot = exchange.key & (SLOTS - 1);
  pendingKey[slot] = exchange.key;
  pendingUsed[slot] = 1;
  pendingPort[slot] = port;
  pendingLink[slot] = link;
}

/**
 * When the current exchange's request was a Get_Attributes_All of the Identity object, forgets it
 * and returns the prefix of the keys its reply is reported under ("" or a `child/` prefix); else null.
 */
export function takeIdentityRequest(): string | null {
  const slot = exchange.key & (SLOTS - 1);
  if (pendingUsed[slot] === 0 || pendingKey[slot] !== exchange.key) return null;
  pendingUsed[slot] = 0;
  return pendingPort[slot] >= 0 ? `child/enip.module/${pendingPort[slot]},${pendingLink[slot]}/` : "";
}
