/**
 * Hand-built Modbus/TCP frames for the tests (Modbus Application Protocol v1.1b3 §6).
 *
 * @module
 */

import { frame, toClient, toServer } from "../_testing.ts";
import { MODBUS_PORT } from "./modbus.ts";

/** An MBAP header (transaction 1, protocol 0, length) + unit id + `pdu`. */
export function adu(unit: number, pdu: readonly number[], transaction = 1): Uint8Array {
  const length = pdu.length + 1;
  return Uint8Array.from([
    transaction >> 8,
    transaction & 0xff,
    0,
    0,
    length >> 8,
    length & 0xff,
    unit,
    ...pdu,
  ]);
}

/** Client 10.0.0.10 → server 10.0.0.20:`port` carrying `payload`. */
export function request(payload: Uint8Array, port = MODBUS_PORT): Uint8Array {
  return frame("tcp", toServer(port), payload);
}

/** Server 10.0.0.20:`port` → client 10.0.0.10 carrying `payload`. */
export function response(payload: Uint8Array, port = MODBUS_PORT): Uint8Array {
  return frame("tcp", toClient(port), payload);
}

/** Several ADUs in one segment. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A Read Device Identification (43/14) response with `objects` (id → text). */
export function deviceIdResponse(unit: number, objects: readonly [number, string][]): Uint8Array {
  const body: number[] = [43, 14, 1, 0x01, 0, 0, objects.length];
  for (const [id, text] of objects) body.push(id, text.length, ...Array.from(text, (c) => c.charCodeAt(0)));
  return adu(unit, body);
}

/** Built frames covering every function class, for the event tests and the fuzzer. */
export const BUILT_FRAMES: readonly Uint8Array[] = [
  request(adu(1, [3, 0x00, 0x10, 0x00, 0x04])),
  response(adu(1, [3, 8, 0, 1, 0, 2, 0, 3, 0, 4])),
  request(adu(255, [6, 0x00, 0x05, 0x12, 0x34])),
  request(adu(2, [16, 0x00, 0x20, 0x00, 0x02, 4, 0, 1, 0, 2])),
  request(adu(2, [15, 0x00, 0x20, 0x00, 0x0a, 2, 0xff, 0x03])),
  request(adu(2, [23, 0, 1, 0, 2, 0, 3, 0, 1, 2, 0xab, 0xcd])),
  request(adu(1, [8, 0x00, 0x01, 0x00, 0x00])),
  request(adu(1, [43, 14, 1, 0])),
  response(deviceIdResponse(255, [[0, "Acme Controls"], [1, "AC-100"], [2, "V2.11"], [4, "Acme PLC"]])),
  response(deviceIdResponse(17, [[0, "Serial Vendor"], [2, "1.0"]])),
  response(adu(17, [0x83, 2])),
  request(adu(1, [20, 7, 6, 0, 4, 0, 1, 0, 2])),
  request(concat(adu(1, [1, 0, 0, 0, 8], 1), adu(1, [2, 0, 0, 0, 8], 2), adu(3, [4, 0, 0, 0, 1], 3))),
];
