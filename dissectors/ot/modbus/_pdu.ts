/**
 * Checks of Modbus request and response PDUs, function by function (Modbus Application Protocol
 * v1.1b3 §6.1–§6.21): quantities within the limits of each function, byte counts consistent with
 * quantities and within the PDU. Bytes after what a function defines are tolerated (devices pad).
 *
 * @module
 */

import type { Packet } from "../../api.ts";
import { MEI_READ_DEVICE_ID } from "./_consts.ts";

/** What the last {@linkcode parseRequest} read: start, quantity, diagnostics sub-function, function 23 read range (-1 when absent). */
export const request = { start: -1, quantity: -1, sub: -1, readStart: -1, readQuantity: -1 };

/** Checks a request PDU of `n` bytes at `pdu` (§6.x) and fills {@linkcode request}; a problem or "". */
export function parseRequest(packet: Packet, pdu: number, n: number): string {
  const view = packet.view;
  const code = packet.bytes[pdu];
  request.start =
    request.quantity =
    request.sub =
    request.readStart =
    request.readQuantity =
      -1;
  if (n >= 3) request.start = view.getUint16(pdu + 1);
  if (n >= 5) request.quantity = view.getUint16(pdu + 3);
  switch (code) {
    case 1: // §6.1, §6.2: 1–2000 bits
    case 2:
      if (n < 5) return "read request too short";
      return request.quantity < 1 || request.quantity > 2000 ? "read quantity out of range" : "";
    case 3: // §6.3, §6.4: 1–125 registers
    case 4:
      if (n < 5) return "read request too short";
      return request.quantity < 1 || request.quantity > 125 ? "read quantity out of range" : "";
    case 5: // §6.5, §6.6: address + value
    case 6:
      request.quantity = 1;
      return n >= 5 ? "" : "write single request too short";
    case 15: // §6.11: 1–1968 coils, byte count = ceil(quantity / 8)
      if (n < 6) return "write multiple request too short";
      if (request.quantity < 1 || request.quantity > 1968) return "write quantity out of range";
      if (packet.bytes[pdu + 5] !== (request.quantity + 7) >> 3) return "byte count does not match quantity";
      return n >= 6 + packet.bytes[pdu + 5] ? "" : "byte count runs past the PDU";
    case 16: // §6.12: 1–123 registers
      if (n < 6) return "write multiple request too short";
      if (request.quantity < 1 || request.quantity > 123) return "write quantity out of range";
      if (packet.bytes[pdu + 5] !== request.quantity * 2) return "byte count does not match quantity";
      return n >= 6 + packet.bytes[pdu + 5] ? "" : "byte count runs past the PDU";
    case 22: // §6.16: address, AND mask, OR mask
      request.quantity = 1;
      return n >= 7 ? "" : "mask write request too short";
    case 23: { // §6.17: read start, read quantity (1–125), write start, write quantity (1–121), values
      if (n < 10) return "read/write request too short";
      request.readStart = request.start;
      request.readQuantity = request.quantity;
      request.start = view.getUint16(pdu + 5);
      request.quantity = view.getUint16(pdu + 7);
      if (request.readQuantity < 1 || request.readQuantity > 125) return "read quantity out of range";
      if (request.quantity < 1 || request.quantity > 121) return "write quantity out of range";
      if (packet.bytes[pdu + 9] !== request.quantity * 2) return "byte count does not match quantity";
      return n >= 10 + packet.bytes[pdu + 9] ? "" : "byte count runs past the PDU";
    }
    case 24: // §6.18: FIFO pointer address
      request.quantity = -1;
      return n >= 3 ? "" : "read FIFO request too short";
    case 7: // §6.7, §6.9, §6.10, §6.13: function code only
    case 11:
    case 12:
    case 17:
      request.start = request.quantity = -1;
      return "";
    case 8: // §6.8: sub-function (2) + data
      request.sub = request.start;
      request.start = request.quantity = -1;
      return n >= 3 ? "" : "diagnostics request too short";
    case 20: { // §6.14: byte count 7–245, 7-byte sub-requests
      request.start = request.quantity = -1;
      const count = n >= 2 ? packet.bytes[pdu + 1] : -1;
      if (count < 7 || count > 245 || count % 7 !== 0) return "file record byte count out of range";
      return n >= 2 + count ? "" : "byte count runs past the PDU";
    }
    case 21: { // §6.15: byte count 9–251
      request.start = request.quantity = -1;
      const count = n >= 2 ? packet.bytes[pdu + 1] : -1;
      if (count < 9 || count > 251) return "file record byte count out of range";
      return n >= 2 + count ? "" : "byte count runs past the PDU";
    }
    case 43: // §6.19–§6.21: MEI type; Read Device Identification: code 1–4, object id
      request.start = request.quantity = -1;
      if (n < 2) return "encapsulated interface request too short";
      if (packet.bytes[pdu + 1] !== MEI_READ_DEVICE_ID) return "";
      if (n < 4) return "read device identification request too short";
      return packet.bytes[pdu + 2] >= 1 && packet.bytes[pdu + 2] <= 4
        ? ""
        : "read device id code out of range";
    default:
      request.start = request.quantity = -1;
      return "";
  }
}

/** Checks a normal response PDU of `n` bytes at `pdu` (§6.x); a problem or "". */
export function checkResponse(packet: Packet, pdu: number, n: number): string {
  const bytes = packet.bytes;
  switch (bytes[pdu]) {
    case 1: // byte count + values
    case 2:
    case 12:
    case 17:
    case 20:
    case 21:
      return n >= 2 && n >= 2 + bytes[pdu + 1] ? "" : "byte count runs past the PDU";
    case 3:
    case 4:
    case 23:
      if (n < 2 || bytes[pdu + 1] % 2 !== 0) return "register byte count is odd";
      return n >= 2 + bytes[pdu + 1] ? "" : "byte count runs past the PDU";
    case 5: // echo of address + value / quantity
    case 6:
    case 15:
    case 16:
      return n >= 5 ? "" : "write response too short";
    case 22:
      return n >= 7 ? "" : "mask write response too short";
    case 7:
      return n >= 2 ? "" : "read exception status response too short";
    case 11:
      return n >= 5 ? "" : "comm event counter response too short";
    case 8:
      return n >= 3 ? "" : "diagnostics response too short";
    case 24:
      return n >= 3 && n >= 3 + packet.view.getUint16(pdu + 1) ? "" : "byte count runs past the PDU";
    default:
      return "";
  }
}
