/**
 * Modbus/TCP ADUs (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3; PDUs from Modbus
 * Application Protocol Specification v1.1b3 §6.3 and §6.6):
 * ```
 *  MBAP  0 transaction id | 2 protocol id = 0 | 4 length (unit id + PDU) | 6 unit id
 *  PDU   7 function code, then
 *        fc 3 request:  starting address (2) | quantity of registers (2, 1–125)
 *        fc 3 response: byte count (1) = 2 × N | N register values (2 each)
 *        fc 6 request and response (echo): register address (2) | register value (2)
 * ```
 *
 * @module
 */

import { put16 } from "./addr.ts";

/** Well-known Modbus/TCP port. */
export const MODBUS_PORT = 502;

/** Function codes used by the builders. */
export const ModbusFunction = { READ_HOLDING_REGISTERS: 3, WRITE_SINGLE_REGISTER: 6 } as const;

/** MBAP header fields shared by all messages. */
export interface ModbusMbap {
  /** Transaction identifier. */
  readonly transactionId: number;
  /** Unit identifier. Default 1. */
  readonly unitId?: number;
}

/** Read Holding Registers request. */
export interface ModbusReadRequest extends ModbusMbap {
  /** Starting address (0-based). */
  readonly address: number;
  /** Number of registers, 1–125. */
  readonly quantity: number;
}

/** Read Holding Registers response. */
export interface ModbusReadResponse extends ModbusMbap {
  /** Register values. */
  readonly values: readonly number[];
}

/** Write Single Register request (its response is the same bytes). */
export interface ModbusWriteSingle extends ModbusMbap {
  /** Register address (0-based). */
  readonly address: number;
  /** Value written. */
  readonly value: number;
}

function writeMbap(buf: Uint8Array, offset: number, m: ModbusMbap, pduLength: number, fc: number): void {
  put16(buf, offset, m.transactionId);
  put16(buf, offset + 2, 0);
  put16(buf, offset + 4, 1 + pduLength);
  buf[offset + 6] = m.unitId ?? 1;
  buf[offset + 7] = fc;
}

/**
 * Writes a Read Holding Registers (fc 3) request.
 *
 * @returns 12.
 */
export function writeModbusReadRequest(buf: Uint8Array, offset: number, m: ModbusReadRequest): number {
  writeMbap(buf, offset, m, 5, ModbusFunction.READ_HOLDING_REGISTERS);
  put16(buf, offset + 8, m.address);
  put16(buf, offset + 10, m.quantity);
  return 12;
}

/**
 * Writes a Read Holding Registers (fc 3) response.
 *
 * @returns 9 + 2 × number of values.
 */
export function writeModbusReadResponse(buf: Uint8Array, offset: number, m: ModbusReadResponse): number {
  const n = m.values.length;
  writeMbap(buf, offset, m, 2 + 2 * n, ModbusFunction.READ_HOLDING_REGISTERS);
  buf[offset + 8] = 2 * n;
  for (let i = 0; i < n; i++) put16(buf, offset + 9 + 2 * i, m.values[i]);
  return 9 + 2 * n;
}

/**
 * Writes a Write Single Register (fc 6) request, or its echo response.
 *
 * @returns 12.
 */
export function writeModbusWriteSingle(buf: Uint8Array, offset: number, m: ModbusWriteSingle): number {
  writeMbap(buf, offset, m, 5, ModbusFunction.WRITE_SINGLE_REGISTER);
  put16(buf, offset + 8, m.address);
  put16(buf, offset + 10, m.value);
  return 12;
}
