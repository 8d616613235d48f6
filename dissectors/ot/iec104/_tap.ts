/**
 * Test tap: what the decoder read from the last APDUs, in fixed typed arrays (no allocation), so
 * tests can compare every APDU with tshark. Reset `count` before a run; entries past
 * {@linkcode IEC104_TAP_SIZE} are dropped.
 *
 * @module
 */

/** Entries kept by {@linkcode iec104Tap}. */
export const IEC104_TAP_SIZE = 4096;

/** One entry per APDU: format (0 I, 1 S, 3 U), U function (control >> 2) and the ASDU header (-1 none). */
export const iec104Tap = {
  count: 0,
  format: new Int8Array(IEC104_TAP_SIZE),
  uType: new Int16Array(IEC104_TAP_SIZE),
  typeId: new Int16Array(IEC104_TAP_SIZE),
  cause: new Int16Array(IEC104_TAP_SIZE),
  commonAddress: new Int32Array(IEC104_TAP_SIZE),
};

/** Records one APDU. */
export function tapApdu(format: number, uType: number, typeId = -1, cause = -1, commonAddress = -1): void {
  const i = iec104Tap.count++;
  if (i >= IEC104_TAP_SIZE) return;
  iec104Tap.format[i] = format;
  iec104Tap.uType[i] = uType;
  iec104Tap.typeId[i] = typeId;
  iec104Tap.cause[i] = cause;
  iec104Tap.commonAddress[i] = commonAddress;
}
