/**
 * Test tap: what the decoder read from the last TPDUs, in fixed typed arrays (no allocation), so
 * tests can compare every PDU with tshark. Reset `count` before a run; entries past
 * {@linkcode S7_TAP_SIZE} are dropped.
 *
 * @module
 */

/** Entries kept by {@linkcode s7commTap}. */
export const S7_TAP_SIZE = 4096;

/** Rosctr value recorded for an S7comm-plus PDU. */
export const TAP_PLUS = 0x72;

/** One entry per COTP TPDU: its type (high nibble), then what its S7comm / S7comm-plus PDU held (-1 none). */
export const s7commTap = {
  count: 0,
  cotpType: new Int16Array(S7_TAP_SIZE),
  /** ROSCTR, or {@linkcode TAP_PLUS} for S7comm-plus. */
  rosctr: new Int16Array(S7_TAP_SIZE),
  /** Job / ack-data function, or the S7comm-plus function code. */
  func: new Int32Array(S7_TAP_SIZE),
  group: new Int16Array(S7_TAP_SIZE),
  subfunction: new Int16Array(S7_TAP_SIZE),
  szlId: new Int32Array(S7_TAP_SIZE),
};

/** Starts the entry of a TPDU of `cotpType`. */
export function tapTpdu(cotpType: number): void {
  const i = s7commTap.count++;
  if (i >= S7_TAP_SIZE) return;
  s7commTap.cotpType[i] = cotpType;
  s7commTap.rosctr[i] = -1;
  s7commTap.func[i] = -1;
  s7commTap.group[i] = -1;
  s7commTap.subfunction[i] = -1;
  s7commTap.szlId[i] = -1;
}

/** Sets fields of the current TPDU's entry. */
export function tapPdu(rosctr: number, func: number, group = -1, subfunction = -1, szlId = -1): void {
  const i = s7commTap.count - 1;
  if (i < 0 || i >= S7_TAP_SIZE) return;
  s7commTap.rosctr[i] = rosctr;
  s7commTap.func[i] = func;
  s7commTap.group[i] = group;
  s7commTap.subfunction[i] = subfunction;
  s7commTap.szlId[i] = szlId;
}
